/** The `stepflow ui` page: the run list (`#/`) and one run (`#/runs/<runId>`). */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { RunPage } from "./run-page.tsx";
import { RunsPage } from "./runs-page.tsx";

function App() {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const onChange = () => setHash(location.hash);
    addEventListener("hashchange", onChange);
    return () => removeEventListener("hashchange", onChange);
  }, []);
  const run = /^#\/runs\/([^/?]+)/.exec(hash);
  return run ? <RunPage runId={decodeURIComponent(run[1])} key={run[1]} /> : <RunsPage />;
}

const root = document.getElementById("app")!;
// The shell's "loading…" line is not Preact's: clear it before the first render.
root.textContent = "";
render(<App />, root);
