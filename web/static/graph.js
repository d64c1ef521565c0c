// Relationship browser: draws an entity's neighbourhood with cytoscape from the JSON embedded in
// the page; a click on a node fetches and adds that node's neighbours (same year/authority
// filter), a double-click opens its page. The table under the graph lists the same entities
// for keyboard and screen-reader users. Relation-type boxes and a year range hide and show
// lines, nodes and table rows in the page (the form above the drawing reloads it instead).
(function () {
  "use strict";
  var box = document.getElementById("graph");
  var status = document.getElementById("graph-status");
  if (!box) { return; }
  if (typeof cytoscape !== "function") {  // the fallback text inside the box stays, and says so here too
    if (status) { status.textContent = "The graph library did not load; the relationships are listed in the table below."; }
    return;
  }
  var fallback = document.getElementById("graph-fallback");
  if (fallback) { fallback.remove(); }
  // fcose (force-directed, node sizes include their labels) keeps labels apart; without the
  // extension the built-in cose layout is used.
  var hasFcose = typeof cytoscapeFcose === "function";
  if (hasFcose) { cytoscape.use(cytoscapeFcose); }
  var colours = { "organisation": "#1d4f91", "partnership": "#5b2d90", "service": "#00703c",
                  "funding stream": "#b35900", "person": "#8a1538", "thing": "#505a5f" };
  var cy = cytoscape({
    container: box,
    style: [
      { selector: "node", style: { "label": "data(label)", "background-color": "data(colour)", "color": "#1b1b1b",
        "font-size": 11, "text-wrap": "wrap", "text-max-width": 120, "text-valign": "bottom", "text-margin-y": 4,
        "width": 22, "height": 22 } },
      { selector: "node.center", style: { "width": 34, "height": 34, "border-width": 4, "border-color": "#0b0c0c" } },
      { selector: "node.expanded", style: { "border-width": 2, "border-color": "#0b0c0c" } },
      { selector: "edge", style: { "label": "data(label)", "font-size": 9, "color": "#505a5f", "width": 1.5,
        "line-color": "#b1b4b6", "target-arrow-shape": "triangle", "target-arrow-color": "#b1b4b6",
        "curve-style": "bezier", "text-rotation": "autorotate" } },
      { selector: "edge.quiet", style: { "label": "" } }
    ],
    minZoom: 0.2,
    maxZoom: 1.6
  });
  box.cytoscape = cy;  // for tests and the browser console
  var expanded = {};
  function say(text) { if (status) { status.textContent = text; } }
  function add(data, iri, isCenter) {
    var added = [];
    (data.nodes || []).forEach(function (n) {
      if (cy.getElementById(n.id).empty()) {
        added.push({ group: "nodes", data: { id: n.id, label: n.label, kind: n.kind, url: n.url,
          colour: colours[n.kind] || colours.thing } });
      }
    });
    (data.edges || []).forEach(function (e) {
      if (cy.getElementById(e.id).empty()) {
        added.push({ group: "edges", data: { id: e.id, source: e.source, target: e.target, label: e.label,
          labels: e.labels || [e.label], years: e.years || [], yearsByLabel: e.years_by_label || {} } });
      }
    });
    cy.add(added);
    // Edge labels only while they can be read; the table below names every relationship.
    cy.edges().toggleClass("quiet", cy.edges().length > 25);
    cy.getElementById(iri).addClass(isCenter ? "center" : "expanded");
    filters(data);
    layout(isCenter);
    box.dataset.nodes = String(cy.nodes().length);
    say(cy.nodes().length + " entities and " + cy.edges().length + " relationships shown" +
        (isCenter ? "" : "; " + (added.length ? "added the neighbours of " : "no new neighbours for ") +
         cy.getElementById(iri).data("label")));
  }
  function layout(first) {
    var visible = cy.elements(":visible");
    var options = hasFcose
      ? { name: "fcose", quality: "proof", randomize: first, animate: false, fit: true, padding: 30,
          nodeDimensionsIncludeLabels: true, nodeSeparation: 90, idealEdgeLength: function () { return 110; },
          nodeRepulsion: function () { return 9000; }, packComponents: true }
      : { name: "cose", animate: false, fit: true, padding: 40, randomize: first,
          nodeDimensionsIncludeLabels: true, nodeRepulsion: function () { return 400000; },
          idealEdgeLength: function () { return 90; }, nodeOverlap: 20, componentSpacing: 80 };
    visible.layout(options).run();
    box.dataset.layout = options.name;
    box.dataset.layoutRuns = String(Number(box.dataset.layoutRuns || 0) + 1);
  }
  // Filters: one checkbox per relationship name and a from/to year range. An edge shows while
  // one of its ticked relations has a paper in the chosen years (with every year chosen, undated
  // relations show too); a node while one of its edges shows (the centre always); each table
  // row follows its edge.
  var shown = {};
  var fieldset = document.getElementById("relation-filter");
  var yearBox = document.getElementById("year-filter");
  var fromSel = document.getElementById("years-from"), toSel = document.getElementById("years-to");
  var allYears = [], range = null;  // range null: every year
  function inRange(years) {
    if (!range) { return true; }
    return (years || []).some(function (y) { return y >= range[0] && y <= range[1]; });
  }
  function relationVisible(label, years) { return shown[label] !== false && inRange(years); }
  function edgeVisible(edge) {
    var byLabel = edge.data("yearsByLabel") || {};
    return (edge.data("labels") || [edge.data("label")]).some(function (l) {
      return relationVisible(l, byLabel[l] || edge.data("years"));
    });
  }
  function rowVisible(row) {
    var edge = row.dataset.edge ? cy.getElementById(row.dataset.edge) : null;
    if (edge && edge.nonempty()) { return edgeVisible(edge); }
    var years = (row.dataset.years || "").split(", ").filter(Boolean).map(Number);
    return row.dataset.relations.split(", ").some(function (l) { return relationVisible(l, years); });
  }
  function applyFilter() {
    cy.batch(function () {
      cy.edges().forEach(function (e) { e.style("display", edgeVisible(e) ? "element" : "none"); });
      cy.nodes().forEach(function (n) {
        var keep = n.hasClass("center") || n.connectedEdges().some(function (e) { return edgeVisible(e); });
        n.style("display", keep ? "element" : "none");
      });
    });
    var rows = document.querySelectorAll("tr[data-relations]"), rowsShown = 0;
    rows.forEach(function (row) { row.hidden = !rowVisible(row); rowsShown += row.hidden ? 0 : 1; });
    var count = document.getElementById("nb-count");
    if (count) { count.textContent = rowsShown === rows.length ? String(rows.length) : rowsShown + " of " + rows.length + " shown"; }
    box.dataset.visibleNodes = String(cy.nodes(":visible").length);
    box.dataset.visibleEdges = String(cy.edges(":visible").length);
  }
  function describeFilter() {
    var years = range ? (range[0] === range[1] ? " in " + range[0] : " from " + range[0] + " to " + range[1]) : "";
    say(cy.nodes(":visible").length + " of " + cy.nodes().length + " entities and " +
        cy.edges(":visible").length + " of " + cy.edges().length + " relationships shown" + years);
  }
  function filterChanged() { applyFilter(); layout(false); describeFilter(); }
  function option(select, year, chosen) {
    var o = document.createElement("option");
    o.value = String(year); o.textContent = String(year); o.selected = year === chosen;
    select.appendChild(o);
  }
  function yearOptions() {
    if (!yearBox || !fromSel || !toSel) { return; }
    var seen = {};
    cy.edges().forEach(function (e) { (e.data("years") || []).forEach(function (y) { seen[y] = true; }); });
    var years = Object.keys(seen).map(Number).sort(function (a, b) { return a - b; });
    if (years.join() === allYears.join()) { return; }
    allYears = years;
    var from = range ? range[0] : years[0], to = range ? range[1] : years[years.length - 1];
    fromSel.textContent = ""; toSel.textContent = "";
    years.forEach(function (y) { option(fromSel, y, from); option(toSel, y, to); });
    yearBox.hidden = years.length < 2;
  }
  function readRange(changed) {
    var from = Number(fromSel.value), to = Number(toSel.value);
    if (from > to) {  // keep the year just chosen and move the other end to it
      if (changed === fromSel) { toSel.value = fromSel.value; to = from; } else { fromSel.value = toSel.value; from = to; }
    }
    var full = from === allYears[0] && to === allYears[allYears.length - 1];
    range = full ? null : [from, to];
    box.dataset.years = range ? range.join("-") : "";
    filterChanged();
  }
  if (fromSel && toSel) {
    fromSel.addEventListener("change", function () { readRange(fromSel); });
    toSel.addEventListener("change", function () { readRange(toSel); });
  }
  function filters(data) {
    if (!fieldset) { return; }
    (data.edges || []).forEach(function (e) {
      (e.labels || [e.label]).forEach(function (label) {
        if (label in shown) { return; }
        shown[label] = true;
        var id = "rel-" + Object.keys(shown).length;
        var wrap = document.createElement("label");
        var box2 = document.createElement("input");
        box2.type = "checkbox"; box2.checked = true; box2.id = id; box2.value = label;
        box2.addEventListener("change", function () { shown[label] = box2.checked; filterChanged(); });
        wrap.appendChild(box2);
        wrap.appendChild(document.createTextNode(" " + label));
        fieldset.appendChild(wrap);
      });
    });
    fieldset.hidden = Object.keys(shown).length < 2;
    yearOptions();
    applyFilter();
  }
  function expand(iri) {
    if (expanded[iri]) { return; }
    expanded[iri] = true;
    var params = new URLSearchParams({ iri: iri });
    if (box.dataset.year) { params.set("year", box.dataset.year); }
    if (box.dataset.authority) { params.set("authority", box.dataset.authority); }
    say("Loading the neighbours of " + cy.getElementById(iri).data("label") + "…");
    fetch(box.dataset.src + "?" + params.toString(), { headers: { "Accept": "application/json" } })
      .then(function (r) {
        if (!r.ok) { return r.json().then(function (e) { throw new Error(e.error || r.statusText); }); }
        return r.json();
      })
      .then(function (data) { add(data, iri, false); })
      .catch(function (e) { expanded[iri] = false; say("Could not load the neighbours: " + e.message); });
  }
  cy.on("tap", "node", function (evt) { expand(evt.target.id()); });
  cy.on("dbltap", "node", function (evt) { var u = evt.target.data("url"); if (u) { window.location.href = u; } });
  var embedded = document.getElementById("graph-data");
  var first = embedded ? JSON.parse(embedded.textContent) : { nodes: [], edges: [] };
  expanded[box.dataset.iri] = true;
  add(first, box.dataset.iri, true);
})();
