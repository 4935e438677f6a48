"""Names shared by the two-process test and its gated job (importing this registers nothing)."""

JOB_NAME = "test.gated"
GATE_KEY = 7_399_000_001
CREATE_TABLES = [
    "CREATE TABLE IF NOT EXISTS test_gated_switch (armed boolean NOT NULL)",
    "CREATE TABLE IF NOT EXISTS test_gated_effects (ran_on text NOT NULL)",
]
DROP_TABLES = ["DROP TABLE IF EXISTS test_gated_switch", "DROP TABLE IF EXISTS test_gated_effects"]
