import Mustache

/// The console's pages: Mustache templates compiled into the binary (no files to ship, no CDN),
/// each page rendered into the layout. Mustache escapes every `{{value}}`; only `{{{content}}}`,
/// the already rendered page, is inserted raw.
struct ConsolePages: Sendable {
    let library: MustacheLibrary

    init() {
        var library = MustacheLibrary()
        for (name, text) in Self.templates {
            // The templates are constants of this file: one that does not compile is a programming error.
            library.register(try! MustacheTemplate(string: text), named: name)
        }
        self.library = library
    }

    /// `page` rendered with `values`, inside the layout with `chrome` (title, sign-in state).
    func render(_ page: String, _ values: [String: Any], chrome: [String: Any]) -> String {
        var layout = chrome
        layout["content"] = library.render(values, withTemplate: page) ?? ""
        return library.render(layout, withTemplate: "layout") ?? ""
    }

    static let templates: [String: String] = [
        "layout": """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{title}} · Sluice console</title>
            <link rel="stylesheet" href="/assets/console.css">
            </head>
            <body>
            <a class="skip" href="#main">Skip to content</a>
            <header>
            <nav aria-label="Main">
            <a href="/" class="brand">Sluice</a>
            <a href="/">Overview</a>
            <a href="/dead-letters">Dead letters</a>
            <a href="/events">Events</a>
            <a href="/recover">Recover</a>
            {{#signedIn}}
            <form method="post" action="/logout" class="inline">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <span class="who">Signed in as {{operatorName}}</span>
            <button type="submit">Sign out</button>
            </form>
            {{/signedIn}}
            {{^signedIn}}{{#actions}}<a href="/login">Sign in</a>{{/actions}}{{/signedIn}}
            </nav>
            </header>
            <main id="main">
            {{{content}}}
            </main>
            <script src="/assets/console.js" defer></script>
            </body>
            </html>
            """,
        "overview": """
            <h1>Overview</h1>
            <p class="meta">Read at <time data-field="at">{{at}}</time> · {{partitions}} partition{{^onePartition}}s{{/onePartition}} · refreshed every 5 s · lines: the last hour, a reading a minute</p>
            <section aria-labelledby="queues">
            <h2 id="queues">Queues</h2>
            <dl class="cards">
            <div><dt>Ingress</dt><dd data-field="ingress">{{ingress}}</dd><dd class="sub"><span data-field="ingress_pending">{{ingressPending}}</span> pending</dd><dd class="sub">{{{ingressSpark}}}</dd></div>
            <div><dt>Deliveries</dt><dd data-field="deliveries">{{deliveries}}</dd><dd class="sub"><span data-field="deliveries_pending">{{deliveriesPending}}</span> pending</dd><dd class="sub">{{{deliveriesSpark}}}</dd></div>
            <div><dt>Retry backlog</dt><dd data-field="retry">{{retry}}</dd><dd class="sub">{{{retrySpark}}}</dd></div>
            <div><dt>Waiting</dt><dd data-field="waiting">{{waiting}}</dd><dd class="sub">{{{waitingSpark}}}</dd></div>
            <div><dt><a href="/dead-letters">Dead letters</a></dt><dd data-field="dlq">{{dlq}}</dd><dd class="sub">{{{dlqSpark}}}</dd></div>
            </dl>
            </section>
            <section aria-labelledby="endpoints">
            <h2 id="endpoints">Endpoints</h2>
            <div class="scroll"><table>
            <thead><tr><th scope="col">Endpoint</th><th scope="col">State</th><th scope="col">Attempts, last minute</th><th scope="col">Success (recent attempts)</th><th scope="col">p50 / p95</th><th scope="col">In flight</th><th scope="col">Last error</th><th scope="col">Detail</th></tr></thead>
            <tbody>
            {{#endpoints}}<tr><td>{{name}}<br><a class="sub" href="/events?endpoint={{query}}">recent events</a></td><td><span class="state state-{{state}}">{{label}}</span></td><td data-rate>{{rate}}</td><td data-success>{{success}}</td><td>{{latency}}</td><td>{{inFlight}}</td><td>{{lastError}}</td><td>{{detail}}</td></tr>
            {{/endpoints}}
            {{^endpoints}}<tr><td colspan="8">routes.yaml names no endpoint.</td></tr>{{/endpoints}}
            </tbody>
            </table></div>
            </section>
            """,
        "dead-letters": """
            <h1>Dead letters</h1>
            <form method="get" action="/dead-letters" class="filters">
            <label>Tenant <input name="tenant" value="{{tenant}}"></label>
            <label>Endpoint <input name="endpoint" value="{{endpoint}}"></label>
            <label>Reason <select name="reason">{{#reasons}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/reasons}}</select></label>
            {{#manyPartitions}}<label>Partition <select name="partition">{{#partitions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/partitions}}</select></label>{{/manyPartitions}}
            <button type="submit">Filter</button>
            </form>
            {{#damaged}}<p role="alert" class="error">The page link is damaged: <a href="/dead-letters">start again from the first page</a>.</p>{{/damaged}}
            {{^damaged}}<p class="meta">{{shown}} shown{{#filtered}} of {{scanned}} searched{{/filtered}}{{#more}}, more on the next page{{/more}}.</p>{{/damaged}}
            {{#canAct}}<form method="post" action="/dead-letters/action">
            <input type="hidden" name="csrf" value="{{csrf}}">{{/canAct}}
            <div class="scroll"><table>
            <thead><tr>{{#canAct}}<th scope="col"><span class="visually-hidden">Select</span></th>{{/canAct}}<th scope="col">ID</th><th scope="col">Event</th><th scope="col">Target</th><th scope="col">Reason</th><th scope="col">Last</th><th scope="col">Attempts</th><th scope="col">Dead-lettered</th></tr></thead>
            <tbody>
            {{#entries}}<tr>{{#canAct}}<td><input type="checkbox" name="id" value="{{id}}" id="dl-{{index}}" aria-label="Select {{id}}"></td>{{/canAct}}<td><code>{{id}}</code></td><td><a href="{{eventHref}}">{{event}}</a></td><td>{{target}}</td><td><span class="state state-bad">{{reason}}</span></td><td{{#lastWhole}} title="{{lastWhole}}"{{/lastWhole}}>{{last}}</td><td>{{attempts}}</td><td><time>{{at}}</time></td></tr>
            {{/entries}}
            {{^entries}}<tr><td colspan="8">No dead letters{{#filtered}} match{{#more}} among the {{scanned}} searched; the next page searches on{{/more}}{{/filtered}}.</td></tr>{{/entries}}
            </tbody>
            </table></div>
            {{#canAct}}<p class="actions"><button type="submit" name="action" value="replay">Replay selected</button> <button type="submit" name="action" value="purge" class="danger">Purge selected…</button></p>
            </form>{{/canAct}}
            {{^canAct}}<p class="meta">{{signInHint}}</p>{{/canAct}}
            {{#next}}<p><a href="{{next}}" rel="next">Next page</a></p>{{/next}}
            """,
        "confirm-purge": """
            <h1>Purge {{count}} dead letter{{^one}}s{{/one}}?</h1>
            <p>They are deleted for good: nothing else keeps their events' bodies.</p>
            <ul>{{#ids}}<li><code>{{.}}</code></li>{{/ids}}</ul>
            <form method="post" action="/dead-letters/action">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <input type="hidden" name="confirm" value="yes">
            {{#ids}}<input type="hidden" name="id" value="{{.}}">{{/ids}}
            <p class="actions"><button type="submit" name="action" value="purge" class="danger">Purge {{count}}</button> <a href="/dead-letters">Cancel</a></p>
            </form>
            """,
        "result": """
            <h1>{{heading}}</h1>
            <p role="status" data-result="{{kind}}">{{summary}}</p>
            <dl class="cards">{{#counts}}<div><dt>{{label}}</dt><dd data-count="{{key}}">{{value}}</dd></div>{{/counts}}</dl>
            <p><a href="/dead-letters">Back to the dead letters</a></p>
            """,
        "events": """
            <h1>Events</h1>
            <form method="get" action="/events" class="filters">
            <label>Webhook-id <input name="id" value="{{id}}" required></label>
            <button type="submit">Show</button>
            </form>
            {{#notFound}}<p role="status">No event {{id}}: unknown, not routed yet, or older than worker.attempt_log_retention.</p>{{/notFound}}
            <h2>Search</h2>
            {{#indexOff}}<p class="meta">routes.yaml turns the event index off (<code>worker.event_index: 0</code>): new events are found by webhook-id only; the search below finds what was indexed before.</p>{{/indexOff}}
            <form method="get" action="/events" class="filters" aria-label="Search events">
            {{#manySources}}<label>Source <select name="source">{{#sources}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/sources}}</select></label>{{/manySources}}
            <label>Tenant <select name="tenant">{{#tenants}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/tenants}}</select></label>
            <label>Endpoint <select name="endpoint">{{#endpoints}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/endpoints}}</select></label>
            <label>Type <input name="type" value="{{type}}" placeholder="batch.*"></label>
            <label>Outcome <select name="outcome">{{#outcomes}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/outcomes}}</select></label>
            <label>Since <input name="since" value="{{since}}" placeholder="2h"></label>
            <label>Until <input name="until" value="{{until}}" placeholder="ISO time or 10m"></label>
            <button type="submit">Search</button>
            </form>
            {{#problems}}<p role="alert" class="error">{{.}}</p>{{/problems}}
                        {{^notFound}}{{^problems}}
            <p class="meta" data-search-summary>{{shown}} shown, newest first, from {{scanned}} indexed events read{{#indexStart}}; the index holds events routed since <time>{{indexStart}}</time> (at most {{indexSize}} per partition){{/indexStart}}.</p>
            {{#scanLimit}}<p role="status">Stopped after reading {{scanned}} indexed events without filling the page; the next page goes on from there.</p>{{/scanLimit}}
            <div class="scroll"><table>
            <thead><tr><th scope="col">Routed</th><th scope="col">Event</th><th scope="col">Type</th><th scope="col">Source</th><th scope="col">Outcome</th><th scope="col">Deliveries</th></tr></thead>
            <tbody class="hits">
            {{#hits}}<tr><td><time>{{at}}</time></td><td><a href="{{href}}">{{id}}</a></td><td>{{type}}</td><td>{{source}}</td><td><span class="state state-{{summaryClass}}">{{summary}}</span></td><td>{{#standings}}<span class="target">{{target}}: <span class="state state-{{class}}">{{standing}}</span></span> {{/standings}}{{^standings}}none{{/standings}}</td></tr>
            {{/hits}}
            {{^hits}}<tr><td colspan="6">No events{{#filtered}} match{{/filtered}}.</td></tr>{{/hits}}
            </tbody>
            </table></div>
            {{#next}}<p><a href="{{next}}" rel="next">Next page</a></p>{{/next}}
            {{/problems}}{{/notFound}}
            """,
        "event": """
            <h1>Event <code>{{id}}</code></h1>
            {{#record}}
            <dl class="facts">
            <dt>Source</dt><dd>{{source}}</dd>
            <dt>Channel</dt><dd>{{channel}}</dd>
            <dt>Type</dt><dd>{{type}}</dd>
            <dt>Received</dt><dd><time>{{receivedAt}}</time></dd>
            <dt>Routed</dt><dd><time>{{routedAt}}</time></dd>
            <dt>Targets</dt><dd>{{targets}}</dd>
            </dl>
            {{/record}}
            <h2>Body</h2>
            {{#body}}<pre class="body" tabindex="0">{{body}}</pre>{{/body}}
            {{#bodyMissing}}<p class="meta">{{bodyMissing}}</p>{{/bodyMissing}}
            {{#body}}<h2>Route decisions</h2>
            <p class="meta">How the routes in force now treat this event (as <code>sluice routes explain</code> says).</p>
            <div class="scroll"><table>
            <thead><tr><th scope="col">Route</th><th scope="col">Outcome</th><th scope="col">Why</th><th scope="col">Adds</th></tr></thead>
            <tbody>
            {{#decisions}}<tr><td>{{route}}</td><td><span class="state {{#matched}}state-ok{{/matched}}{{^matched}}state-paused{{/matched}}">{{outcome}}</span></td><td>{{reasons}}</td><td>{{targets}}</td></tr>
            {{/decisions}}
            {{^decisions}}<tr><td colspan="4">routes.yaml has no routes.</td></tr>{{/decisions}}
            </tbody>
            </table></div>{{/body}}
            <h2>Attempts</h2>
            <div class="scroll"><table>
            <thead><tr><th scope="col">At</th><th scope="col">Target</th><th scope="col">Attempt</th><th scope="col">Status</th><th scope="col">Duration</th><th scope="col">Outcome</th><th scope="col">Error</th><th scope="col">Response headers kept</th></tr></thead>
            <tbody class="attempts">
            {{#attempts}}<tr><td><time>{{at}}</time></td><td>{{target}}</td><td>{{attempt}}</td><td>{{status}}</td><td>{{duration}}</td><td><span class="state state-{{outcomeClass}}">{{outcome}}</span></td><td>{{error}}</td><td class="headers">{{headers}}</td></tr>
            {{/attempts}}
            {{^attempts}}<tr><td colspan="8">No attempt yet.</td></tr>{{/attempts}}
            </tbody>
            </table></div>
            """,
        "recover": """
            <h1>Recover an endpoint</h1>
            <p>Sends every delivery to the endpoint since a time again — delivered or not — with a fresh schedule and its webhook-id unchanged, from the archive <code>worker.recovery_window</code> keeps{{#window}} (here: {{window}}){{/window}}.</p>
            {{^window}}<p role="alert" class="error">routes.yaml sets no <code>worker.recovery_window</code>: the archive keeps nothing, so there is nothing to recover.</p>{{/window}}
            {{#canAct}}
            <form method="post" action="/recover" class="stacked">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <label>Endpoint <select name="endpoint">{{#endpoints}}<option value="{{.}}">{{.}}</option>{{/endpoints}}</select></label>
            <label>Since (ISO 8601 time, or a duration ago such as 2h) <input name="since" value="1h" required></label>
            <label><span><input type="checkbox" name="dry_run" value="1" checked> Count only, send nothing</span></label>
            <button type="submit">Recover</button>
            </form>
            {{/canAct}}
            {{^canAct}}<p class="meta">{{signInHint}}</p>{{/canAct}}
            """,
        "login": """
            <h1>Sign in</h1>
            {{#failed}}<p role="alert" class="error">That is not the operator token.</p>{{/failed}}
            {{^actions}}<p>This console was started without <code>--token-file</code>: it is read-only.</p>{{/actions}}
            {{#actions}}
            <form method="post" action="/login" class="stacked">
            <label>Your name (for the audit log) <input name="name" autocomplete="username" required></label>
            <label>Operator token <input name="token" type="password" autocomplete="current-password" required></label>
            <button type="submit">Sign in</button>
            </form>
            {{/actions}}
            """,
        "error": """
            <h1>{{heading}}</h1>
            <p role="alert" class="error">{{message}}</p>
            """,
    ]
}
