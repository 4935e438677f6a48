"""Two real server processes on one database: each maintenance job runs on one of them."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.maintenance import gate
from tests.polling import eventually
from tests.servers import Server, running_servers


async def total(servers: list[Server], name: str, **labels: str) -> float:
    return sum([await server.metric(name, **labels) for server in servers])


async def test_a_job_runs_once_across_two_server_processes(
    engine: AsyncEngine, database_url: str
) -> None:
    async with engine.begin() as connection:
        for statement in gate.CREATE_TABLES:
            await connection.execute(text(statement))
        await connection.execute(text("INSERT INTO test_gated_switch VALUES (true)"))
    gate_holder = await engine.connect()
    await gate_holder.execute(text("SELECT pg_advisory_lock(:k)"), {"k": gate.GATE_KEY})
    await gate_holder.commit()
    try:
        async with running_servers(
            database_url,
            count=2,
            env={"MAINTENANCE_INTERVAL": "1"},
            preload=["tests.maintenance.gated_job"],
        ) as servers:

            async def one_run_waits_at_the_gate() -> bool:
                waiting = await gate_holder.scalar(
                    text(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                        "AND objid = (:k)::bigint % 4294967296 AND NOT granted"
                    ),
                    {"k": gate.GATE_KEY},
                )
                return waiting == 1

            async def the_other_process_skipped() -> bool:
                skipped = await total(
                    servers,
                    "catachess_maintenance_runs_total",
                    job=gate.JOB_NAME,
                    outcome="skipped",
                )
                return skipped >= 1

            await eventually(one_run_waits_at_the_gate, "one run waits at the gate")
            await eventually(the_other_process_skipped, "the other process skipped the job")
            await gate_holder.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": gate.GATE_KEY})
            await gate_holder.commit()

            async def the_run_finished() -> bool:
                items = await total(servers, "catachess_maintenance_items_total", job=gate.JOB_NAME)
                return items >= 1

            await eventually(the_run_finished, "the gated run finished")
            async with engine.connect() as connection:
                effects = (
                    await connection.execute(text("SELECT ran_on FROM test_gated_effects"))
                ).all()
                last_run = (
                    await connection.execute(
                        text("SELECT ran_on FROM maintenance_runs WHERE job = :j"),
                        {"j": gate.JOB_NAME},
                    )
                ).one()
            assert len(effects) == 1
            assert await total(servers, "catachess_maintenance_items_total", job=gate.JOB_NAME) == 1
            pids = {str(server.pid) for server in servers}
            assert effects[0].ran_on.rsplit(":", 1)[1] in pids
            assert last_run.ran_on.rsplit(":", 1)[1] in pids
        for server in servers:  # stopped by SIGTERM, gracefully
            assert "Application shutdown complete." in server.log()
    finally:
        await gate_holder.close()
        async with engine.begin() as connection:
            for statement in gate.DROP_TABLES:
                await connection.execute(text(statement))
