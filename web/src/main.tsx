import { render } from 'preact';

function App() {
  return <main>catachess</main>;
}

render(<App />, document.getElementById('app')!);
