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

  function say(text) { info.textContent = text; }

  if (!window.cytoscape || !window.cytoscapeFcose) {
    say("The interactive map could not load its libraries; the lists below have every link.");
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
      say("The map data could not be read (" + error.message + "); the lists below have every link.");
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
    var nodes = [], edges = new Map();
    G.teams.forEach(function (_, team) { if (counts[team]) nodes.push(teamNode(team, counts[team])); });
    G.services.forEach(function (s) {
      if (teamShown(s) && !state.collapsed.has(s.team)) nodes.push(serviceNode(s, "team-" + s.team));
    });
    var end = function (s) {
      var service = G.services[s];
      return state.collapsed.has(service.team) ? "team-" + service.team : "svc-" + s;
    };
    G.links.forEach(function (link) {
      if (!shown(link) || !teamShown(G.services[link.s]) || !teamShown(G.services[link.t])) return;
      var source = end(link.s), target = end(link.t);
      if (source === target) return;
      var id = source + ">" + target + ":" + link.kind + ":" + link.sync;
      var edge = edges.get(id);
      if (!edge) {
        edge = { group: "edges", data: { id: id, source: source, target: target, kind: link.kind, sync: link.sync, links: [], count: 0 } };
        edges.set(id, edge);
      }
      edge.data.links.push(link.index);
      edge.data.count += link.details.length || 1;
    });
    return nodes.concat(Array.from(edges.values()));
  }

  function focusElements(focus) {
    var near = new Map(); // service index -> its links with the focused service
    focus.links.forEach(function (link) {
      if (!shown(link)) return;
      var other = link.s === focus.index ? link.t : link.s;
      if (other === focus.index) return;
      if (!near.has(other)) near.set(other, []);
      near.get(other).push(link);
    });
    var members = [focus.index].concat(Array.from(near.keys()));
    members.sort(function (a, b) { return a - b; });
    var teams = new Map();
    members.forEach(function (i) {
      var team = G.services[i].team;
      teams.set(team, (teams.get(team) || 0) + 1);
    });
    var nodes = Array.from(teams.keys()).sort(function (a, b) { return a - b; }).map(function (team) {
      return teamNode(team, teams.get(team));
    });
    members.forEach(function (i) {
      nodes.push(serviceNode(G.services[i], "team-" + G.services[i].team, i === focus.index ? "focus" : "neighbour"));
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

  // --- drawing ------------------------------------------------------------------------
  function seeded(seed) {
    return function () { // mulberry32
      seed = (seed + 0x6d2b79f5) | 0;
      var t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  function layout(compact) {
    // Same graph, same picture: fCoSE's randomness comes from Math.random and layout-base's
    // own seed; both are fixed for the (synchronous) run.
    var random = Math.random;
    Math.random = seeded(15);
    if (window.layoutBase && window.layoutBase.RandomSeed) window.layoutBase.RandomSeed.seed = 1;
    try {
      cy.layout({
        name: "fcose", quality: "default", randomize: true, animate: false, fit: false,
        nodeDimensionsIncludeLabels: true, packComponents: true, tile: true,
        idealEdgeLength: compact ? 90 : 140, nodeRepulsion: compact ? 6000 : 20000,
        edgeElasticity: 0.3, nestingFactor: 0.1, gravity: 0.4, numIter: 2500,
        tilingPaddingVertical: 20, tilingPaddingHorizontal: 20,
      }).run();
    } finally {
      Math.random = random;
    }
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
    cy.edges().toggleClass("dense", edgeCount > 400);
    layout(!focus);
    cy.fit(cy.elements(), 24);
    if (cy.zoom() > MAX_FIT_ZOOM) {
      cy.zoom(MAX_FIT_ZOOM);
      cy.center();
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
        var arrow = link.s === focus.index ? "→" : "←";
        return arrow + " " + link.kind + " (" + link.sync + ", " + (link.details.length || 1) + ")";
      });
      item.appendChild(document.createTextNode(" " + G.teams[other.team] + " · " + parts.join(", ")));
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
    var lines = [];
    var from = edge.source().data("label"), to = edge.target().data("label");
    var head = from + " → " + to + ": " + data.kind + ", sync " + data.sync;
    lines.push(head);
    data.links.forEach(function (n) {
      var link = G.links[n];
      var prefix = data.links.length > 1 ? G.services[link.s].name + " → " + G.services[link.t].name + ": " : "";
      link.details.forEach(function (d) { lines.push(prefix + d); });
    });
    if (lines.length > TIP_LINES + 1) {
      var more = lines.length - 1 - TIP_LINES;
      lines = lines.slice(0, TIP_LINES + 1);
      lines.push("… " + more + " more");
    }
    return lines;
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
      { selector: "node", style: { label: "data(label)", color: fg, "font-size": 12, "text-valign": "center", "text-halign": "center" } },
      { selector: "node[kind = 'service']", style: {
        shape: "round-rectangle", width: "label", height: 22, padding: 6, "background-color": bg,
        "border-width": 1.5, "border-color": "#7986cb",
      } },
      { selector: "node[kind = 'team']", style: {
        shape: "round-rectangle", "background-color": "#9fa8da", "background-opacity": 0.16,
        "border-width": 1, "border-color": "#9fa8da", "text-valign": "top", "font-weight": "bold",
        padding: 14, "font-size": 13,
      } },
      { selector: "node[kind = 'team']:childless", style: {
        "text-valign": "center", width: "label", height: 34, padding: 10, "background-opacity": 0.28,
        "font-size": 14,
      } },
      { selector: "node.focus", style: { "background-color": accent, color: "#fff", "border-color": accent, "font-weight": "bold", "font-size": 14 } },
      { selector: "node.neighbour", style: { "border-width": 2.5, "border-color": accent } },
      { selector: "edge", style: {
        width: 1.5, "curve-style": "bezier", "target-arrow-shape": "triangle", "arrow-scale": 0.8,
        "line-color": "#757575", "target-arrow-color": "#757575", opacity: 0.75,
      } },
      { selector: "edge.dense", style: { width: 1, opacity: 0.35, "curve-style": "straight", "arrow-scale": 0.6 } },
      { selector: "edge[count > 1]", style: { width: "mapData(count, 1, 40, 1.5, 7)" } },
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
    G = decode(doc);
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
    if (!(focus && setFocus(focus))) render();
    window.orionMap = { cy: cy, graph: G, focus: setFocus, clear: clearFocus, readyAt: performance.now() };
    root.dataset.state = "ready";
  }
})();
