/* The interactive relationship map of orion-registry (override with a file of the same name
 * in templates_dir). It reads the build's graph.json and draws it with Cytoscape.js and the
 * fCoSE layout, both vendored with the site. Registry text is data: it reaches the page only
 * through textContent, attribute values and Cytoscape labels, never as markup. */
(function () {
  "use strict";

  var root = document.getElementById("orion-map");
  if (!root) return;
  var $ = function (id) { return document.getElementById(id); };
  var canvas = $("orion-map-canvas");
  var info = $("orion-map-info");
  var tip = $("orion-map-tip");
  var SYNC_COLORS = { event: "#8e24aa", api: "#1e88e5", cache: "#ef6c00", undeclared: "#757575" };
  var KIND_LINES = { reference: "solid", copy: "dashed", event: "dotted" };
  var COLLAPSE_ABOVE = Number(root.dataset.collapseAbove || 60);
  var TIP_LINES = 12;
  var MAX_FIT_ZOOM = 1.4; // a small graph is not blown up to fill the canvas
  var MIN_FOCUS_ZOOM = 0.75; // below this, a focus view is not shrunk to fit
  var DENSE_EDGES = 1500; // past this many lines between services, bundle them by team

  function say(text) { info.textContent = text; }

  if (!window.cytoscape || !window.cytoscapeFcose) {
    say("The interactive map could not load its libraries; each service page lists its links.");
    return;
  }
  window.cytoscape.use(window.cytoscapeFcose);
  root.hidden = false;

  var state = { focus: null, collapsed: new Set(), teams: new Set(), kinds: new Set(), syncs: new Set() };
  var G = null; // the decoded graph
  var cy = null;

  fetch(root.dataset.graph)
    .then(function (response) {
      if (!response.ok) throw new Error(response.status + " " + response.statusText);
      return response.json();
    })
    .then(start)
    .catch(function (error) {
      say("The map data could not be read (" + error.message + "); each service page lists its links.");
    });

  // --- data ----------------------------------------------------------------------------
  function decode(doc) {
    var services = doc.services.map(function (s, i) {
      return { index: i, name: s.name, title: s.title, url: s.url, team: s.team, links: [] };
    });
    var links = doc.links.map(function (row, i) {
      var kind = doc.kinds[row[2]];
      var texts = row[4].map(function (n) { return doc.strings[n]; });
      var details = [];
      if (kind === "event") {
        details = texts;
      } else {
        for (var k = 0; k + 3 < texts.length; k += 4) {
          details.push(texts[k] + "." + texts[k + 1] + " → " + texts[k + 2] + "." + texts[k + 3]);
        }
      }
      var link = { index: i, s: row[0], t: row[1], kind: kind, sync: doc.syncs[row[3]], details: details };
      services[link.s].links.push(link);
      services[link.t].links.push(link);
      return link;
    });
    var byName = new Map(services.map(function (s) { return [s.name, s]; }));
    return { teams: doc.teams, kinds: doc.kinds, syncs: doc.syncs, services: services, links: links, byName: byName };
  }

  function shown(link) {
    return state.kinds.has(link.kind) && state.syncs.has(link.sync);
  }

  function teamShown(service) { return state.teams.has(service.team); }

  // --- elements of a view ---------------------------------------------------------------
  function teamNode(team, count) {
    return {
      group: "nodes",
      data: { id: "team-" + team, label: G.teams[team] + " (" + count + ")", kind: "team", team: team },
    };
  }

  function serviceNode(service, parent, classes) {
    return {
      group: "nodes",
      data: { id: "svc-" + service.index, label: service.name, kind: "service", service: service.index, parent: parent },
      classes: classes || "",
    };
  }

  function overviewElements() {
    var counts = G.teams.map(function () { return 0; });
    G.services.forEach(function (s) { if (teamShown(s)) counts[s.team] += 1; });
    var nodes = [];
    G.teams.forEach(function (_, team) { if (counts[team]) nodes.push(teamNode(team, counts[team])); });
    G.services.forEach(function (s) {
      if (teamShown(s) && !state.collapsed.has(s.team)) nodes.push(serviceNode(s, "team-" + s.team));
    });
    var edges = overviewEdges(false);
    // Past DENSE_EDGES lines between single services, lines between two teams are bundled
    // per pair of teams (each team box shows its services; a search shows one's links).
    if (edges.size > DENSE_EDGES) edges = overviewEdges(true);
    return nodes.concat(Array.from(edges.values()));
  }

  function overviewEdges(bundleTeams) {
    var edges = new Map();
    var end = function (service, other) {
      var apart = bundleTeams && service.team !== other.team;
      return apart || state.collapsed.has(service.team) ? "team-" + service.team : "svc-" + service.index;
    };
    G.links.forEach(function (link) {
      var s = G.services[link.s], t = G.services[link.t];
      if (!shown(link) || !teamShown(s) || !teamShown(t)) return;
      var source = end(s, t), target = end(t, s);
      if (source === target) return;
      // Between two services: one line per kind and sync. With a team at one end: one
      // bundle per pair of ends, whatever the direction, counting the links it stands for.
      var bundle = source.startsWith("team-") || target.startsWith("team-");
      if (bundle && source > target) { var swap = source; source = target; target = swap; }
      var id = bundle ? source + "~" + target : source + ">" + target + ":" + link.kind + ":" + link.sync;
      var edge = edges.get(id);
      if (!edge) {
        edge = { group: "edges", data: { id: id, source: source, target: target, links: [], count: 0 } };
        if (bundle) edge.classes = "bundle";
        else Object.assign(edge.data, { kind: link.kind, sync: link.sync });
        edges.set(id, edge);
      }
      edge.data.links.push(link.index);
      edge.data.count += bundle ? 1 : link.details.length || 1;
    });
    return edges;
  }

  function focusElements(focus) {
    var near = new Map(); // service index -> its links with the focused service
    focus.links.forEach(function (link) {
      if (!shown(link)) return;
      var other = link.s === focus.index ? link.t : link.s;
      if (other === focus.index || !teamShown(G.services[other])) return;
      if (!near.has(other)) near.set(other, []);
      near.get(other).push(link);
    });
    var members = Array.from(near.keys()).sort(function (a, b) { return a - b; });
    var teams = new Map();
    members.forEach(function (i) {
      var team = G.services[i].team;
      teams.set(team, (teams.get(team) || 0) + 1);
    });
    var nodes = Array.from(teams.keys()).sort(function (a, b) { return a - b; }).map(function (team) {
      return teamNode(team, teams.get(team));
    });
    // The focused service stands alone in the middle; its neighbours sit in their teams.
    var positions = focusGrid(members);
    nodes.push(Object.assign(serviceNode(focus, undefined, "focus"), { position: positions.centre }));
    members.forEach(function (i) {
      var node = serviceNode(G.services[i], "team-" + G.services[i].team, "neighbour");
      nodes.push(Object.assign(node, { position: positions.at.get(i) }));
    });
    var edges = [];
    members.forEach(function (i) {
      (near.get(i) || []).forEach(function (link) {
        edges.push({
          group: "edges",
          data: {
            id: "link-" + link.index, source: "svc-" + link.s, target: "svc-" + link.t,
            kind: link.kind, sync: link.sync, links: [link.index], count: link.details.length || 1,
          },
          classes: "highlighted",
        });
      });
    });
    return { elements: nodes.concat(edges), near: near };
  }

  // Focus view: a grid of team blocks around the focused service, shaped like the canvas;
  // each block stacks its services (two columns past four). Deterministic and compact.
  var CELL = { width: 170, row: 46, label: 34, gap: 40 };

  function focusGrid(members) {
    var teams = new Map();
    members.forEach(function (i) {
      var team = G.services[i].team;
      if (!teams.has(team)) teams.set(team, []);
      teams.get(team).push(i);
    });
    var blocks = Array.from(teams.keys()).sort(function (a, b) {
      return G.teams[a] < G.teams[b] ? -1 : 1;
    }).map(function (team) {
      var list = teams.get(team);
      var columns = list.length > 4 ? 2 : 1;
      return { members: list, columns: columns, rows: Math.ceil(list.length / columns) };
    });
    var cellWidth = CELL.width * Math.max.apply(null, blocks.map(function (b) { return b.columns; }).concat([1])) + CELL.gap;
    var cellHeight = CELL.row * Math.max.apply(null, blocks.map(function (b) { return b.rows; }).concat([1])) + CELL.label + CELL.gap;
    var width = canvas.clientWidth || 800, height = canvas.clientHeight || 600;
    var cells = blocks.length + 1;
    var columns = 1, best = 0;
    for (var c = 1; c <= cells; c += 2) { // the (odd) column count giving the largest zoom
      var zoom = Math.min(width / (c * cellWidth), height / (Math.ceil(cells / c) * cellHeight));
      if (zoom > best * 1.05) { best = zoom; columns = c; }
    }
    var rows = Math.ceil(cells / columns);
    var middle = Math.floor(rows / 2) * columns + Math.floor(columns / 2);
    var at = new Map();
    var cell = 0;
    blocks.forEach(function (block) {
      if (cell === middle) cell += 1;
      var x0 = (cell % columns) * cellWidth, y0 = Math.floor(cell / columns) * cellHeight + CELL.label;
      block.members.forEach(function (i, k) {
        at.set(i, { x: x0 + (k % block.columns) * CELL.width, y: y0 + Math.floor(k / block.columns) * CELL.row });
      });
      cell += 1;
    });
    var centre = { x: (middle % columns) * cellWidth + (CELL.width * 0.5), y: Math.floor(middle / columns) * cellHeight + cellHeight / 2 };
    return { at: at, centre: centre };
  }

  // --- drawing ------------------------------------------------------------------------
  function seeded(seed) {
    return function () { // mulberry32
      seed = (seed + 0x6d2b79f5) | 0;
      var t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  // fCoSE settings: spread boxes apart (a busy registry links every team to every other, so
  // springs would pull them into one heap).
  var LAYOUTS = {
    spread: { idealEdgeLength: 260, nodeRepulsion: 800000, edgeElasticity: 0.05, gravity: 0.05, nodeSeparation: 120 },
    compact: { idealEdgeLength: 110, nodeRepulsion: 9000, edgeElasticity: 0.3, gravity: 0.5, nodeSeparation: 75 },
  };
  var COMPACT_UP_TO = 40; // services drawn one by one, with no team collapsed

  function layout(kind) {
    // Same graph, same picture: fCoSE's randomness comes from Math.random and layout-base's
    // own seed; both are fixed for the (synchronous) run.
    var random = Math.random;
    Math.random = seeded(15);
    if (window.layoutBase && window.layoutBase.RandomSeed) window.layoutBase.RandomSeed.seed = 1;
    try {
      cy.layout(Object.assign({
        name: "fcose", quality: "default", randomize: true, animate: false, fit: false,
        nodeDimensionsIncludeLabels: true, packComponents: true, tile: true, nestingFactor: 0.1,
        numIter: 2500, tilingPaddingVertical: 20, tilingPaddingHorizontal: 20,
      }, LAYOUTS[kind])).run();
    } finally {
      Math.random = random;
    }
  }

  function fitShape() {
    // A wide picture on a tall screen (or the reverse) is drawn transposed: same layout,
    // x and y swapped, so it fills the canvas instead of a thin band of it.
    var box = cy.elements().boundingBox();
    var tallCanvas = canvas.clientHeight > canvas.clientWidth;
    if (tallCanvas === (box.h > box.w)) return;
    cy.nodes(":childless").positions(function (node) {
      var p = node.position();
      return { x: p.y, y: p.x };
    });
  }

  function render() {
    var elements, near = null;
    var focus = state.focus === null ? null : G.services[state.focus];
    if (focus) {
      var view = focusElements(focus);
      elements = view.elements;
      near = view.near;
    } else {
      elements = overviewElements();
    }
    var edgeCount = elements.filter(function (e) { return e.group === "edges"; }).length;
    cy.startBatch();
    cy.elements().remove();
    cy.add(elements);
    cy.endBatch();
    var started = performance.now();
    if (!focus) { // a focus is placed by focusGrid
      var few = cy.nodes(":childless[kind = 'service']").length <= COMPACT_UP_TO;
      var kind = few && !cy.nodes(":childless[kind = 'team']").length ? "compact" : "spread";
      layout(kind);
      fitShape();
    }
    root.dataset.layoutMs = Math.round(performance.now() - started);
    cy.fit(cy.nodes(), 24);
    if (cy.zoom() > MAX_FIT_ZOOM) {
      cy.zoom(MAX_FIT_ZOOM);
      cy.center();
    } else if (focus && cy.zoom() < MIN_FOCUS_ZOOM) {
      // A narrow screen: names stay readable around the focus; pan to see the rest.
      cy.zoom(MIN_FOCUS_ZOOM);
      cy.center(cy.$(".focus"));
    }
    root.dataset.view = focus ? "focus" : "overview";
    root.dataset.focus = focus ? focus.name : "";
    if (focus) describeFocus(focus, near); else describeOverview(edgeCount);
    updateUrl();
  }

  function describeOverview(edgeCount) {
    var services = G.services.filter(teamShown).length;
    var collapsed = Array.from(state.collapsed).filter(function (t) { return state.teams.has(t); }).length;
    var text = services + " services in " + state.teams.size + " teams, " + edgeCount + " lines drawn.";
    if (collapsed) text += " " + collapsed + " teams are collapsed: click a team to open it.";
    text += " Search a service to see its links.";
    say(text);
    $("orion-map-links").replaceChildren();
  }

  function describeFocus(focus, near) {
    var team = G.teams[focus.team];
    say(focus.name + " (" + team + "): " + near.size + " services one hop away. Click a service to open its page.");
    var list = $("orion-map-links");
    list.replaceChildren();
    Array.from(near.keys()).sort(function (a, b) {
      return G.services[a].name < G.services[b].name ? -1 : 1;
    }).forEach(function (i) {
      var other = G.services[i];
      var item = document.createElement("li");
      var anchor = document.createElement("a");
      anchor.href = other.url;
      anchor.textContent = other.name;
      item.appendChild(anchor);
      var parts = near.get(i).map(function (link) {
        var arrow = link.s === focus.index ? "→ " : "← ";
        var count = link.details.length;
        if (link.kind === "event") return arrow + count + (count > 1 ? " events" : " event");
        return arrow + link.kind + " · " + link.sync + (count > 1 ? " ×" + count : "");
      });
      item.appendChild(document.createTextNode(" (" + G.teams[other.team] + "): " + parts.join(", ")));
      list.appendChild(item);
    });
  }

  function updateUrl() {
    var url = new URL(window.location.href);
    if (state.focus === null) url.searchParams.delete("focus");
    else url.searchParams.set("focus", G.services[state.focus].name);
    window.history.replaceState(null, "", url.toString());
  }

  // --- hover text ----------------------------------------------------------------------
  function edgeText(edge) {
    var data = edge.data();
    var from = edge.source().data("label"), to = edge.target().data("label");
    if (edge.hasClass("bundle")) return bundleText(from, to, data.links);
    var lines = [from + " → " + to + ": " + data.kind + ", sync " + data.sync];
    data.links.forEach(function (n) {
      G.links[n].details.forEach(function (d) { lines.push(d); });
    });
    return capped(lines);
  }

  function bundleText(from, to, links) {
    var counts = new Map();
    links.forEach(function (n) {
      var link = G.links[n];
      var key = link.kind === "event" ? "event" : link.kind + " (" + link.sync + ")";
      counts.set(key, (counts.get(key) || 0) + 1);
    });
    var lines = [from + " ↔ " + to + ": " + links.length + " links between services"];
    Array.from(counts.keys()).sort().forEach(function (key) { lines.push(counts.get(key) + " × " + key); });
    lines.push("Click a team to open it.");
    return lines;
  }

  function capped(lines) {
    if (lines.length <= TIP_LINES + 1) return lines;
    var more = lines.length - 1 - TIP_LINES;
    return lines.slice(0, TIP_LINES + 1).concat(["… " + more + " more"]);
  }

  function showTip(lines, position) {
    tip.replaceChildren();
    lines.forEach(function (line, i) {
      var div = document.createElement("div");
      div.textContent = line;
      if (i === 0) div.className = "orion-map-tip-head";
      tip.appendChild(div);
    });
    var box = canvas.getBoundingClientRect();
    tip.style.left = Math.min(position.x + 12, Math.max(0, box.width - 280)) + "px";
    tip.style.top = (position.y + 12) + "px";
    tip.hidden = false;
  }

  // --- controls ------------------------------------------------------------------------
  function setFocus(name) {
    var service = G.byName.get(name);
    if (!service) {
      var query = name.trim().toLowerCase();
      service = query ? G.services.find(function (s) { return s.name.toLowerCase().indexOf(query) >= 0; }) : null;
    }
    if (!service) {
      say("No service matches “" + name + "”.");
      return false;
    }
    state.focus = service.index;
    $("orion-map-search").value = service.name;
    render();
    return true;
  }

  function clearFocus() {
    state.focus = null;
    $("orion-map-search").value = "";
    render();
  }

  function checkbox(container, label, checked, onChange) {
    var wrap = document.createElement("label");
    var input = document.createElement("input");
    input.type = "checkbox";
    input.checked = checked;
    input.addEventListener("change", function () { onChange(input.checked); render(); });
    wrap.appendChild(input);
    wrap.appendChild(document.createTextNode(" " + label));
    container.appendChild(wrap);
  }

  function buildControls() {
    var names = $("orion-map-names");
    G.services.forEach(function (s) {
      var option = document.createElement("option");
      option.value = s.name;
      names.appendChild(option);
    });
    var search = $("orion-map-search");
    $("orion-map-form").addEventListener("submit", function (event) {
      event.preventDefault();
      if (search.value.trim()) setFocus(search.value); else clearFocus();
    });
    search.addEventListener("change", function () {
      if (G.byName.has(search.value)) setFocus(search.value);
    });
    $("orion-map-all").addEventListener("click", clearFocus);
    $("orion-map-expand").addEventListener("click", function () { state.collapsed.clear(); clearFocus(); });
    $("orion-map-collapse").addEventListener("click", function () {
      G.teams.forEach(function (_, t) { state.collapsed.add(t); });
      clearFocus();
    });
    var teams = $("orion-map-teams");
    G.teams.forEach(function (name, t) {
      checkbox(teams, name, true, function (on) { if (on) state.teams.add(t); else state.teams.delete(t); });
    });
    var kinds = $("orion-map-kinds");
    G.kinds.forEach(function (kind) {
      checkbox(kinds, kind, true, function (on) { if (on) state.kinds.add(kind); else state.kinds.delete(kind); });
    });
    var syncs = $("orion-map-syncs");
    G.syncs.forEach(function (sync) {
      checkbox(syncs, sync, true, function (on) { if (on) state.syncs.add(sync); else state.syncs.delete(sync); });
    });
  }

  function themeColor(variable, fallback) {
    // The theme's colour as rgb()/rgba(), which Cytoscape reads (it refuses #rrggbbaa).
    var probe = document.createElement("span");
    probe.style.color = "var(" + variable + ", " + fallback + ")";
    root.appendChild(probe);
    var color = getComputedStyle(probe).color;
    probe.remove();
    return color || fallback;
  }

  function styles() {
    var fg = themeColor("--md-default-fg-color", "#222");
    var bg = themeColor("--md-default-bg-color", "#fff");
    var accent = themeColor("--md-primary-fg-color", "#3f51b5");
    var style = [
      { selector: "node", style: { label: "data(label)", color: fg, "font-size": 14, "text-valign": "center", "text-halign": "center" } },
      { selector: "node[kind = 'service']", style: {
        shape: "round-rectangle", width: "label", height: 24, padding: 6, "background-color": bg,
        "border-width": 1.5, "border-color": "#7986cb",
      } },
      { selector: "node[kind = 'team']", style: {
        shape: "round-rectangle", "background-color": "#9fa8da", "background-opacity": 0.16,
        "border-width": 1, "border-color": "#9fa8da", "text-valign": "top", "font-weight": "bold",
        padding: 14, "font-size": 13,
      } },
      { selector: "node[kind = 'team']:childless", style: {
        "text-valign": "center", width: "label", height: 34, padding: 10, "background-color": bg,
        "background-opacity": 1, "border-width": 2, "border-color": "#7986cb", "font-size": 14,
      } },
      { selector: "node.focus", style: { "background-color": accent, color: "#fff", "border-color": accent, "font-weight": "bold", "font-size": 14 } },
      { selector: "node.neighbour", style: { "border-width": 2.5, "border-color": accent } },
      { selector: "edge", style: {
        width: 1.5, "curve-style": "bezier", "target-arrow-shape": "triangle", "arrow-scale": 0.8,
        "line-color": "#757575", "target-arrow-color": "#757575", opacity: 0.75,
      } },
      { selector: "edge[count > 1]", style: { width: "mapData(count, 1, 40, 1.5, 7)" } },
      { selector: "edge.bundle", style: {
        "line-color": "#9fa8da", "target-arrow-shape": "none", "curve-style": "straight",
        width: "mapData(count, 1, 60, 0.5, 7)", opacity: 0.35,
      } },
      { selector: "edge.highlighted", style: { opacity: 0.95, width: 2.2 } },
      { selector: "edge.hover", style: { opacity: 1, width: 4, "z-index": 10 } },
    ];
    Object.keys(SYNC_COLORS).forEach(function (sync) {
      style.push({ selector: "edge[sync = '" + sync + "']", style: { "line-color": SYNC_COLORS[sync], "target-arrow-color": SYNC_COLORS[sync] } });
    });
    Object.keys(KIND_LINES).forEach(function (kind) {
      style.push({ selector: "edge[kind = '" + kind + "']", style: { "line-style": KIND_LINES[kind] } });
    });
    return style;
  }

  function start(doc) {
    var timings = { data: performance.now() };
    G = decode(doc);
    timings.decoded = performance.now();
    G.teams.forEach(function (_, t) {
      state.teams.add(t);
      if (G.services.length > COLLAPSE_ABOVE) state.collapsed.add(t);
    });
    G.kinds.forEach(function (k) { state.kinds.add(k); });
    G.syncs.forEach(function (s) { state.syncs.add(s); });
    cy = window.cytoscape({
      container: canvas, style: styles(), minZoom: 0.05, maxZoom: 4,
      boxSelectionEnabled: false, autoungrabify: false, hideEdgesOnViewport: G.links.length > 3000,
    });
    buildControls();
    timings.controls = performance.now();
    cy.on("tap", "node[kind = 'service']", function (event) {
      window.location.href = G.services[event.target.data("service")].url;
    });
    cy.on("tap", "node[kind = 'team']", function (event) {
      if (state.focus !== null) return;
      var team = event.target.data("team");
      if (state.collapsed.has(team)) state.collapsed.delete(team); else state.collapsed.add(team);
      render();
    });
    cy.on("mouseover", "edge", function (event) {
      event.target.addClass("hover");
      showTip(edgeText(event.target), event.renderedPosition);
    });
    cy.on("mouseout", "edge", function (event) {
      event.target.removeClass("hover");
      tip.hidden = true;
    });
    cy.on("tap", "edge", function (event) { showTip(edgeText(event.target), event.renderedPosition); });
    cy.on("mouseover", "node[kind = 'service']", function () { canvas.style.cursor = "pointer"; });
    cy.on("mouseout", "node", function () { canvas.style.cursor = ""; });
    var params = new URLSearchParams(window.location.search);
    var focus = params.get("focus");
    if (!(focus && setFocus(focus))) {
      render();
      if (focus) say("No service is called “" + focus + "”: the whole map is shown.");
    }
    timings.ready = performance.now();
    window.orionMap = { cy: cy, graph: G, focus: setFocus, clear: clearFocus, readyAt: timings.ready, timings: timings };
    root.dataset.state = "ready";
  }
})();
