/// The console's stylesheet and script, served by the binary (no CDN, no build step).
enum ConsoleAssets {
    static let css = """
        :root { --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg: #ffffff; --panel: #f6f8fa; --accent: #0b5cad;
          --ok: #116329; --warn: #7d4e00; --bad: #a40e26; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: var(--bg); }
        a { color: var(--accent); }
        a:focus, button:focus, input:focus, select:focus { outline: 3px solid #f5b700; outline-offset: 2px; }
        .skip { position: absolute; left: -9999px; } .skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; }
        header { background: #0d1117; padding: .5rem 1rem; }
        nav { display: flex; flex-wrap: wrap; gap: .25rem 1rem; align-items: center; }
        nav a { color: #f0f6fc; text-decoration: none; padding: .25rem 0; } nav a:hover { text-decoration: underline; }
        nav .brand { font-weight: 700; margin-right: 1rem; }
        nav form.inline { margin-left: auto; color: #f0f6fc; display: flex; gap: .5rem; align-items: center; }
        main { padding: 1rem; max-width: 72rem; margin: 0 auto; }
        h1 { font-size: 1.6rem; margin: .5rem 0 1rem; } h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; }
        .meta { color: var(--muted); }
        .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); gap: .75rem; margin: 0; }
        .cards div { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .75rem; }
        .cards dt { color: var(--muted); font-size: .9rem; } .cards dd { margin: 0; font-size: 1.6rem; font-weight: 600; }
        .cards dd.sub { font-size: .9rem; font-weight: 400; color: var(--muted); }
        table { border-collapse: collapse; width: 100%; }
        .scroll { overflow-x: auto; }
        th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { font-size: .9rem; color: var(--muted); }
        code { font-size: .9rem; word-break: break-all; }
        .state { display: inline-block; padding: 0 .5rem; border-radius: 1rem; font-size: .85rem; border: 1px solid currentColor; }
        .state-ok, .state-delivered { color: var(--ok); } .state-paused, .state-half_open, .state-retry, .state-retrying { color: var(--warn); }
        .state-pending, .state-expired { color: var(--muted); } .target { white-space: nowrap; } td.headers { white-space: pre-line; font-family: ui-monospace, monospace; font-size: .85rem; }
        .state-circuit_open, .state-bad, .state-dead_letter, .state-no_route { color: var(--bad); }
        .filters, .stacked { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: flex-end; margin-bottom: 1rem; }
        .stacked { flex-direction: column; align-items: stretch; max-width: 24rem; }
        label { display: flex; flex-direction: column; font-size: .9rem; color: var(--muted); gap: .2rem; }
        input, select, button { font: inherit; padding: .35rem .5rem; border: 1px solid #8c959f; border-radius: 6px; background: #fff; color: var(--ink); }
        button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }
        button.danger { background: var(--bad); border-color: var(--bad); }
        .error { color: var(--bad); font-weight: 600; }
        pre.body { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .75rem; overflow-x: auto; max-height: 32rem; font-size: .85rem; }
        .facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
        .facts dt { color: var(--muted); } .facts dd { margin: 0; }
        .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
        """

    /// Refreshes the overview's numbers every 5 s from `/overview.json` (the page works without it).
    static let script = """
        (function () {
          var fields = document.querySelectorAll('[data-field]');
          if (!fields.length) return;
          function refresh() {
            fetch('/overview.json', {credentials: 'same-origin'}).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
              if (!data) return;
              fields.forEach(function (el) { var v = data[el.getAttribute('data-field')]; if (v !== undefined) el.textContent = v; });
            }).catch(function () {});
          }
          setInterval(refresh, 5000);
        })();
        """
}
