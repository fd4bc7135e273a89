// The control room page of `focus serve`: agents, the live event feed, SLOs and charts.
// Plain JS, no build step. Every text that comes from the API is set with textContent
// (agent names and task titles are user-written): never innerHTML with data.
// A figure that is missing is shown as "no data" with its reason, never as 0.
"use strict";

(function () {
  const FEED_MAX = 150; // events kept in the feed
  const AGENTS_DEBOUNCE_MS = 300; // re-read /api/agents at most this often after events
  const CHARTS_DEBOUNCE_MS = 3000; // and /api/charts less often
  const REFRESH_MS = 60000; // a full re-read now and then (a focus file edited by hand)
  const CHART_DAYS = 14;

  const page = {
    agents: [],
    budgets: {},
    events: [], // newest first
    seen: new Set(),
    lastId: 0,
    lastTests: {}, // agent id -> {at, payload}: the newest `tests` event seen
    charts: {}, // Chart.js instances by name
    problems: {}, // what failed, by source
    fresh: new Set(), // event ids to highlight once
  };

  // ---------------------------------------------------------------- small helpers

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function $(id) {
    return document.getElementById(id);
  }

  function isNumber(value) {
    return typeof value === "number" && Number.isFinite(value);
  }

  function money(value) {
    if (!isNumber(value)) return null;
    if (value !== 0 && Math.abs(value) < 0.01) return "$" + value.toFixed(4);
    return "$" + value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  function duration(seconds) {
    if (!isNumber(seconds) || seconds < 0) return null;
    if (seconds < 60) return Math.floor(seconds) + " s";
    const minutes = Math.floor(seconds / 60);
    if (minutes < 60) return minutes + " min";
    const hours = Math.floor(minutes / 60);
    if (hours < 48) return hours + " h " + String(minutes % 60).padStart(2, "0") + " min";
    return Math.floor(hours / 24) + " d " + (hours % 24) + " h";
  }

  function since(iso) {
    const at = Date.parse(iso);
    if (Number.isNaN(at)) return null;
    return duration((Date.now() - at) / 1000);
  }

  function clock(iso) {
    const at = new Date(iso);
    if (Number.isNaN(at.getTime())) return String(iso);
    const time = at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
    const today = new Date();
    if (at.toDateString() === today.toDateString()) return time;
    return at.toLocaleDateString([], { month: "short", day: "numeric" }) + " " + time;
  }

  function tokens(value) {
    if (!isNumber(value)) return null;
    if (value >= 1e9) return (value / 1e9).toFixed(2) + " G";
    if (value >= 1e6) return (value / 1e6).toFixed(2) + " M";
    if (value >= 1e4) return (value / 1e3).toFixed(1) + " k";
    return String(value);
  }

  function nodata(reason) {
    return el("span", "nodata", reason ? "no data: " + reason : "no data");
  }

  function setProblem(source, text) {
    if (text) page.problems[source] = text;
    else delete page.problems[source];
    const box = $("problem");
    const all = Object.values(page.problems);
    box.hidden = all.length === 0;
    box.textContent = all.join(" · ");
  }

  function touched() {
    $("updated").textContent = "updated " + clock(new Date().toISOString());
  }

  async function getJSON(path) {
    let response;
    try {
      response = await fetch(path, { cache: "no-store", headers: { Accept: "application/json" } });
    } catch (error) {
      throw new Error(path + ": the server does not answer");
    }
    let body = null;
    try {
      body = await response.json();
    } catch (error) {
      body = null;
    }
    if (!response.ok) {
      const why = body && (body.reason || body.detail || body.error);
      const hint = response.status === 401 || response.status === 403 ? " (this server wants a token)" : "";
      throw new Error(path + ": HTTP " + response.status + (why ? " " + why : "") + hint);
    }
    return body;
  }

  // ---------------------------------------------------------------- events

  function describe(event) {
    const p = event.payload && typeof event.payload === "object" ? event.payload : {};
    switch (event.kind) {
      case "complete":
        return "completed “" + (p.task ?? "?") + "”";
      case "plan": {
        const added = Array.isArray(p.added) ? p.added : [];
        let text = "planned " + added.length + " task(s)";
        if (p.provider) text += " with " + p.provider + (p.model ? " (" + p.model + ")" : "");
        if (added.length) text += ": " + added.slice(0, 3).map((t) => "“" + t + "”").join(", ");
        return text;
      }
      case "sync":
        return "synced with the strategy: " + (Array.isArray(p.changes) ? p.changes.length : 0) + " change(s)";
      case "update": {
        const sources = p.sources && typeof p.sources === "object" ? p.sources : {};
        const down = Object.keys(sources).filter((s) => sources[s] !== "ok");
        return "updated metrics" + (down.length ? " (NO DATA: " + down.join(", ") + ")" : "");
      }
      case "slo": {
        const results = Array.isArray(p.results) ? p.results : [];
        return "SLO gate: exit " + p.exit_code + " " + results.map((r) => (r && r.name) + " " + (r && r.status)).join(", ");
      }
      case "commit":
        return "committed " + (p.sha ?? "?") + ": " + (p.subject ?? "");
      case "init":
        return "started as " + (p.role || "an agent");
      case "hook": {
        let text = (p.source || "agent") + " " + (p.event ?? "");
        if (p.tool) text += " " + p.tool;
        if (p.message) text += ": " + p.message;
        return text;
      }
      case "tests":
        return testsText(p);
      default: {
        let text = event.kind + " " + JSON.stringify(p);
        if (text.length > 140) text = text.slice(0, 139) + "…";
        return text;
      }
    }
  }

  function testsText(p) {
    const parts = ["passed", "failed", "skipped"]
      .filter((k) => isNumber(p[k]))
      .map((k) => p[k] + " " + k);
    const took = isNumber(p.duration_s) ? " in " + p.duration_s + " s" : "";
    return "tests (" + (p.runner || "tests") + "): " + (parts.join(", ") || "no summary") + took;
  }

  function addEvents(list) {
    let added = false;
    for (const event of list) {
      if (!event || !isNumber(event.id) || page.seen.has(event.id)) continue;
      page.seen.add(event.id);
      page.events.push(event);
      page.fresh.add(event.id);
      page.lastId = Math.max(page.lastId, event.id);
      if (event.kind === "tests" && event.agent) {
        const known = page.lastTests[event.agent];
        if (!known || known.id < event.id) page.lastTests[event.agent] = event;
      }
      added = true;
    }
    if (!added) return false;
    page.events.sort((a, b) => b.id - a.id);
    for (const gone of page.events.splice(FEED_MAX)) page.seen.delete(gone.id);
    renderFeed();
    return true;
  }

  function renderFeed() {
    const feed = $("feed");
    const items = page.events.map((event) => {
      const item = el("li", "event");
      item.dataset.id = String(event.id);
      item.dataset.kind = String(event.kind);
      if (page.fresh.has(event.id) && page.events.length > 0 && feed.childElementCount > 0) {
        item.classList.add("new");
      }
      const time = el("time", "when", clock(event.at));
      time.dateTime = String(event.at);
      item.append(time);
      item.append(el("span", "who", event.agent || "—"));
      item.append(el("span", "kind kind-" + String(event.kind).replace(/[^a-z0-9_-]/gi, ""), event.kind));
      let what;
      try {
        what = describe(event);
      } catch (error) {
        what = event.kind + " (" + String(error) + ")"; // one odd event never stops the feed
      }
      item.append(el("span", "what", what));
      return item;
    });
    page.fresh.clear();
    feed.replaceChildren(...items);
    $("feed-empty").hidden = items.length > 0;
  }

  // ---------------------------------------------------------------- agents

  function agentId(seat) {
    return (seat.agent && seat.agent.id) || null;
  }

  function bar(done, total, extraClass) {
    const box = el("div", "bar" + (extraClass ? " " + extraClass : ""));
    const fill = el("span", "fill");
    const share = total > 0 ? Math.min(1, done / total) : 0;
    fill.style.width = (share * 100).toFixed(1) + "%";
    box.append(fill);
    box.setAttribute("role", "progressbar");
    box.setAttribute("aria-valuemin", "0");
    box.setAttribute("aria-valuemax", String(total));
    box.setAttribute("aria-valuenow", String(done));
    return box;
  }

  function row(label, ...content) {
    const line = el("div", "row");
    line.append(el("span", "label", label));
    const value = el("div", "value");
    value.append(...content);
    line.append(value);
    return line;
  }

  function stateBadge(state) {
    const name = (state && state.name) || "unknown";
    const badge = el("span", "state state-" + name.replace(/[^a-z]/g, ""));
    badge.append(el("span", "state-name", name));
    if (state && state.since) {
      const howLong = el("span", "state-for");
      howLong.dataset.since = state.since;
      howLong.textContent = since(state.since) ? "for " + since(state.since) : "";
      badge.append(howLong);
    }
    if (state && state.reason) badge.title = state.reason;
    return badge;
  }

  function testsLine(seat) {
    const id = agentId(seat);
    // The server's own last test run of the agent when it gives one, else the newest
    // `tests` event of this agent the page has seen.
    const fromServer = seat.last_tests || seat.tests || null;
    const event = fromServer && fromServer.payload ? fromServer : id ? page.lastTests[id] : null;
    const run = fromServer && !fromServer.payload ? fromServer : event ? event.payload : null;
    if (!run) return nodata("no test run among the recent events");
    const box = el("span", "tests");
    const failed = run.failed;
    if (isNumber(failed) && failed > 0) {
      box.classList.add("tests-failed");
      box.append(el("strong", null, "✗ " + failed + " failed"));
    } else if (isNumber(run.passed)) {
      box.classList.add("tests-passed");
      box.append(el("strong", null, "✓ " + run.passed + " passed"));
    } else {
      box.append(el("strong", null, "ran, no summary"));
    }
    const more = [];
    if (isNumber(run.skipped) && run.skipped > 0) more.push(run.skipped + " skipped");
    if (run.runner) more.push(run.runner);
    if (isNumber(run.duration_s)) more.push(run.duration_s + " s");
    const at = (event && event.at) || run.at;
    if (at && since(at)) more.push(since(at) + " ago");
    if (more.length) box.append(el("span", "muted", " · " + more.join(" · ")));
    return box;
  }

  function costLine(seat) {
    const id = agentId(seat);
    const spend = seat.spend;
    const budget = id ? page.budgets[id] : undefined;
    const box = el("div", "cost");
    if (!spend) {
      box.append(nodata("the agents' logs were not read yet (focus usage)"));
    } else if (!isNumber(spend.today_usd)) {
      const calls = isNumber(spend.calls_today) ? spend.calls_today : 0;
      box.append(nodata(calls + " call(s) today without a known price"));
    } else {
      box.append(el("strong", "money", money(spend.today_usd)));
    }
    if (isNumber(budget)) {
      const known = spend && isNumber(spend.today_usd);
      box.append(el("span", "muted", (known ? " of " : " · budget ") + money(budget) + (known ? " budget" : "")));
      if (spend && isNumber(spend.today_usd)) {
        const over = spend.today_usd > budget;
        box.append(bar(spend.today_usd, budget, over ? "over" : spend.today_usd > 0.8 * budget ? "near" : ""));
      }
    } else {
      box.append(el("span", "muted", " · no budget set"));
    }
    return box;
  }

  function overlapsLine(seat) {
    const list = seat.overlaps;
    if (!Array.isArray(list)) return nodata("not known");
    if (list.length === 0) return el("span", "muted", "none");
    const box = el("ul", "overlaps");
    for (const overlap of list) {
      const files = Array.isArray(overlap.files) ? overlap.files : [];
      const item = el("li");
      item.append(el("strong", null, "with " + (overlap.agent ?? "?")));
      const shown = files.slice(0, 4).join(", ") + (files.length > 4 ? " +" + (files.length - 4) + " more" : "");
      item.append(el("span", "files", ": " + shown));
      box.append(item);
    }
    return box;
  }

  function card(seat) {
    const id = agentId(seat);
    const state = seat.state || null;
    const article = el("article", "card state-" + ((state && state.name) || "unknown").replace(/[^a-z]/g, ""));
    article.dataset.agent = id || "";
    article.dataset.worktree = seat.worktree || "";

    const head = el("header", "card-head");
    const title = el("div", "title");
    title.append(el("h3", "agent-id", id || "no agent"));
    const role = seat.agent && seat.agent.role;
    title.append(el("span", "role", role || "no role"));
    head.append(title);
    head.append(stateBadge(state));
    article.append(head);
    if (state && state.reason) article.append(el("p", "reason", state.reason));

    if (seat.error) {
      article.append(el("p", "error", seat.error));
    }

    const sprint = seat.sprint;
    const tasks = sprint && Array.isArray(sprint.tasks) ? sprint.tasks : null;
    if (tasks) {
      const current = tasks.find((task) => !task.done);
      const now = current
        ? el("span", "current", current.title)
        : tasks.length
          ? el("span", "current done", "sprint done ✓")
          : nodata("no task in the sprint");
      article.append(row("Now", now));
      const count = el("span", "fraction", sprint.done + "/" + sprint.total);
      article.append(row("Sprint", bar(sprint.done, sprint.total), count));
      const list = el("ul", "tasks");
      for (const task of tasks) {
        const item = el("li", "task " + (task.done ? "done" : "todo"));
        item.dataset.done = task.done ? "true" : "false";
        item.append(el("span", "mark", task.done ? "✓" : "○"));
        item.append(el("span", "task-title", task.title));
        if (task.done && task.completed_on) item.append(el("span", "muted", " " + task.completed_on));
        list.append(item);
      }
      article.append(list);
    }
    const portfolio = seat.portfolio;
    if (portfolio && isNumber(portfolio.total)) {
      const count = el("span", "fraction", portfolio.done + "/" + portfolio.total);
      article.append(row("Portfolio", bar(portfolio.done, portfolio.total, "alt"), count));
    }
    article.append(row("Tests", testsLine(seat)));
    article.append(row("Today", costLine(seat)));
    article.append(row("Overlaps", overlapsLine(seat)));

    const foot = el("footer", "card-foot");
    if (seat.branch) foot.append(el("span", "branch", seat.branch));
    if (seat.worktree) {
      const name = String(seat.worktree).split("/").filter(Boolean).pop();
      const tree = el("span", "tree", name);
      tree.title = seat.worktree;
      foot.append(tree);
    }
    article.append(foot);
    return article;
  }

  function renderAgents() {
    const box = $("agents");
    if (!page.agents.length) {
      box.replaceChildren(el("p", "nodata", "no agent yet: `focus agents add A1` makes one"));
    } else {
      box.replaceChildren(...page.agents.map(card));
    }
    $("agent-count").textContent = page.agents.length ? String(page.agents.length) : "";
  }

  function tickDurations() {
    for (const node of document.querySelectorAll("[data-since]")) {
      const text = since(node.dataset.since);
      node.textContent = text ? "for " + text : "";
    }
  }

  // ---------------------------------------------------------------- SLOs

  function renderSlos(data) {
    const box = $("slos");
    const slos = data && Array.isArray(data.slos) ? data.slos : [];
    if (!slos.length) {
      box.replaceChildren(el("p", "nodata", "no data: " + ((data && data.reason) || "no SLO result")));
      return;
    }
    const list = el("ul", "slos");
    for (const slo of slos) {
      const item = el("li", "slo");
      const status = String(slo.status || "no data");
      item.dataset.status = status;
      const head = el("div", "slo-head");
      head.append(el("strong", "slo-name", slo.name));
      head.append(el("span", "badge status-" + status.replace(/[^a-z]/g, ""), status));
      item.append(head);
      const detail = el("div", "slo-detail");
      if (isNumber(slo.value)) detail.append(el("span", null, "value " + Number(slo.value.toPrecision(4))));
      else detail.append(nodata(slo.no_data ? slo.no_data.reason + (slo.no_data.detail ? ", " + slo.no_data.detail : "") : null));
      if (slo.target) detail.append(el("span", "muted", " · target " + slo.target));
      if (slo.agent) detail.append(el("span", "muted", " · " + slo.agent));
      item.append(detail);
      if (slo.read_at) {
        const time = el("time", "muted", "read " + clock(slo.read_at) + (since(slo.read_at) ? " (" + since(slo.read_at) + " ago)" : ""));
        time.dateTime = slo.read_at;
        item.append(time);
      }
      list.append(item);
    }
    box.replaceChildren(list);
  }

  // ---------------------------------------------------------------- charts

  const PALETTE = ["#58a6ff", "#3fb950", "#d29922", "#f778ba", "#a371f7", "#39c5cf", "#ff7b72", "#8b949e"];

  function chartBox(name) {
    return document.querySelector('.chart[data-chart="' + name + '"]');
  }

  function showChart(name, reason) {
    const box = chartBox(name);
    const message = box.querySelector(".nodata");
    const canvas = box.querySelector(".canvas-box");
    if (reason === null) {
      message.hidden = true;
      canvas.hidden = false;
      return true;
    }
    message.textContent = "no data: " + reason;
    message.hidden = false;
    canvas.hidden = true;
    if (page.charts[name]) {
      page.charts[name].destroy();
      delete page.charts[name];
    }
    return false;
  }

  function draw(name, config) {
    const existing = page.charts[name];
    if (existing && existing.config.type === config.type) {
      existing.data = config.data;
      existing.options = config.options;
      existing.update("none");
      return;
    }
    if (existing) existing.destroy();
    page.charts[name] = new window.Chart($("chart-" + name), config);
  }

  function baseOptions(extra) {
    return Object.assign(
      {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { labels: { boxWidth: 12 } } },
      },
      extra || {},
    );
  }

  function reasonFor(charts, key, fallback) {
    const reasons = charts && charts.reasons;
    return (reasons && reasons[key]) || fallback;
  }

  function renderCharts(charts) {
    if (!window.Chart) {
      for (const name of ["cost", "tokens", "tasks", "tests", "latency"]) {
        showChart(name, "the chart library did not load (/static/vendor/chart.umd.min.js)");
      }
      return;
    }
    const days = Array.isArray(charts.days) ? charts.days : [];
    const labels = days.map((d) => String(d).slice(5));
    $("chart-days").textContent = days.length ? "last " + days.length + " days" : "";

    // Cost per agent per day: a day with no priced call is a gap, not 0.
    const cost = charts.cost_by_agent && typeof charts.cost_by_agent === "object" ? charts.cost_by_agent : {};
    const agents = Object.keys(cost).sort();
    const anyCost = agents.some((a) => Array.isArray(cost[a]) && cost[a].some(isNumber));
    if (showChart("cost", anyCost ? null : reasonFor(charts, "cost_by_agent", "no priced model call in these days"))) {
      draw("cost", {
        type: "bar",
        data: {
          labels,
          datasets: agents.map((agent, i) => ({
            label: agent,
            data: (cost[agent] || []).map((v) => (isNumber(v) ? v : null)),
            backgroundColor: PALETTE[i % PALETTE.length],
            maxBarThickness: 40,
            stack: "cost",
          })),
        },
        options: baseOptions({
          scales: { x: { stacked: true }, y: { stacked: true, ticks: { callback: (v) => "$" + v } } },
          plugins: {
            tooltip: { callbacks: { label: (c) => c.dataset.label + ": " + (money(c.raw) ?? "no data") } },
          },
        }),
      });
    }

    // Tokens by model.
    const models = Array.isArray(charts.tokens_by_model) ? charts.tokens_by_model.filter((m) => isNumber(m.tokens)) : [];
    if (showChart("tokens", models.length ? null : reasonFor(charts, "tokens_by_model", "no model call read in these days"))) {
      draw("tokens", {
        type: "bar",
        data: {
          labels: models.map((m) => m.model),
          datasets: [{ label: "tokens", data: models.map((m) => m.tokens), backgroundColor: PALETTE[4], maxBarThickness: 40 }],
        },
        options: baseOptions({
          indexAxis: "y",
          plugins: {
            legend: { display: false },
            tooltip: {
              callbacks: {
                label: (c) => {
                  const m = models[c.dataIndex];
                  return tokens(m.tokens) + " tokens · " + (money(m.cost_usd) ?? "cost: no data");
                },
              },
            },
          },
          scales: { x: { ticks: { callback: (v) => tokens(v) } } },
        }),
      });
    }

    // Tasks planned and done per day: counts of events, so 0 is a real count.
    const tasks = charts.tasks || {};
    const planned = Array.isArray(tasks.planned) ? tasks.planned : [];
    const done = Array.isArray(tasks.done) ? tasks.done : [];
    if (showChart("tasks", planned.length || done.length ? null : reasonFor(charts, "tasks", "no day to show"))) {
      draw("tasks", {
        type: "bar",
        data: {
          labels,
          datasets: [
            { label: "planned", data: planned, backgroundColor: PALETTE[0], maxBarThickness: 24 },
            { label: "done", data: done, backgroundColor: PALETTE[1], maxBarThickness: 24 },
          ],
        },
        options: baseOptions({ scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }),
      });
    }

    // Test pass rate: a day without a test run is a gap.
    const tests = charts.tests || {};
    const rate = Array.isArray(tests.pass_rate) ? tests.pass_rate : [];
    const anyRate = rate.some(isNumber);
    if (showChart("tests", anyRate ? null : reasonFor(charts, "tests", "no test run with a summary in these days"))) {
      draw("tests", {
        type: "line",
        data: {
          labels,
          datasets: [
            {
              label: "pass rate",
              data: rate.map((v) => (isNumber(v) ? Math.round(v * 1000) / 10 : null)),
              borderColor: PALETTE[1],
              backgroundColor: PALETTE[1],
              spanGaps: false,
              pointRadius: 4,
              clip: false, // a point at 100% is drawn whole
            },
          ],
        },
        options: baseOptions({
          scales: { x: { offset: true }, y: { min: 0, max: 100, ticks: { callback: (v) => v + "%" } } },
          plugins: {
            legend: { display: false },
            tooltip: {
              callbacks: {
                label: (c) => {
                  const i = c.dataIndex;
                  const p = (tests.passed || [])[i];
                  const f = (tests.failed || [])[i];
                  return c.raw + "% (" + (p ?? "?") + " passed, " + (f ?? "?") + " failed)";
                },
              },
            },
          },
        }),
      });
    }

    // LLM p95 latency by provider.
    const latency = Array.isArray(charts.latency_p95) ? charts.latency_p95.filter((l) => isNumber(l.p95_ms)) : [];
    if (showChart("latency", latency.length ? null : reasonFor(charts, "latency_p95", "no timed LLM call in these days"))) {
      draw("latency", {
        type: "bar",
        data: {
          labels: latency.map((l) => l.provider),
          datasets: [{ label: "p95 ms", data: latency.map((l) => l.p95_ms), backgroundColor: PALETTE[2], maxBarThickness: 60 }],
        },
        options: baseOptions({
          plugins: {
            legend: { display: false },
            tooltip: { callbacks: { label: (c) => Math.round(c.raw) + " ms over " + latency[c.dataIndex].calls + " call(s)" } },
          },
          scales: { y: { beginAtZero: true } },
        }),
      });
    }
  }

  function chartTheme() {
    if (!window.Chart) return;
    const defaults = window.Chart.defaults;
    defaults.color = "#c9d1d9";
    defaults.borderColor = "rgba(240, 246, 252, 0.1)";
    defaults.font.family = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
    defaults.font.size = 12;
  }

  // ---------------------------------------------------------------- loading

  function loader(source, path, apply) {
    let timer = null;
    let running = false;
    let again = false;
    async function run() {
      timer = null;
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        apply(await getJSON(path()));
        setProblem(source, null);
        touched();
      } catch (error) {
        setProblem(source, error.message);
      } finally {
        running = false;
        if (again) {
          again = false;
          schedule(0);
        }
      }
    }
    function schedule(delay) {
      if (timer !== null) return; // one pending read is enough: it sees every change before it
      timer = setTimeout(run, delay);
    }
    return { run, schedule };
  }

  const agents = loader("agents", () => "/api/agents", (data) => {
    page.agents = Array.isArray(data) ? data : [];
    renderAgents();
  });
  const charts = loader("charts", () => "/api/charts?days=" + CHART_DAYS, (data) => {
    page.budgets = (data && data.budgets) || {};
    renderCharts(data || {});
    renderAgents(); // the budgets come with the charts
  });
  const slos = loader("slo", () => "/api/slo", renderSlos);
  const events = loader("events", () => "/api/events?limit=" + FEED_MAX, (data) => {
    addEvents(Array.isArray(data) ? data : []);
  });

  // ---------------------------------------------------------------- live

  function setLive(state, text) {
    const live = $("live");
    live.dataset.state = state;
    $("live-text").textContent = text;
  }

  function onEvent(event) {
    if (!addEvents([event])) return;
    touched();
    agents.schedule(AGENTS_DEBOUNCE_MS);
    charts.schedule(CHARTS_DEBOUNCE_MS);
    if (event.kind === "slo") slos.schedule(AGENTS_DEBOUNCE_MS);
  }

  function connect() {
    if (!window.EventSource) {
      setLive("offline", "no live updates in this browser");
      return;
    }
    // The stream sends the events after the newest one the page has, then the live ones;
    // when it reconnects by itself, EventSource's Last-Event-ID says where it stopped.
    const stream = new EventSource("/api/stream?after=" + page.lastId);
    stream.onopen = () => {
      setLive("live", "live");
      agents.schedule(0); // what changed while not connected
    };
    stream.onmessage = (message) => {
      let event;
      try {
        event = JSON.parse(message.data);
      } catch (error) {
        return;
      }
      onEvent(event);
    };
    stream.onerror = () => {
      if (stream.readyState === EventSource.CLOSED) {
        // The browser gave up (the server said no): try again ourselves.
        setLive("offline", "offline, retrying…");
        stream.close();
        setTimeout(connect, 5000);
      } else {
        setLive("reconnecting", "reconnecting…");
      }
    };
  }

  async function start() {
    chartTheme();
    await Promise.all([events.run(), agents.run(), charts.run(), slos.run()]);
    connect();
    setInterval(tickDurations, 5000);
    setInterval(() => {
      agents.schedule(0);
      slos.schedule(0);
      charts.schedule(0);
    }, REFRESH_MS);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
