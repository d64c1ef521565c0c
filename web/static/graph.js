// Relationship browser: draws an entity's neighbourhood with cytoscape; a click on a node
// fetches and adds that node's neighbours, a double-click (or Enter) opens its page.
(function () {
  "use strict";
  var box = document.getElementById("graph");
  if (!box || typeof cytoscape !== "function") { return; }
  var colours = { "organisation": "#1d4f91", "partnership": "#5b2d90", "service": "#00703c",
                  "funding stream": "#b35900", "person": "#8a1538", "thing": "#505a5f" };
  var cy = cytoscape({
    container: box,
    style: [
      { selector: "node", style: { "label": "data(label)", "background-color": "data(colour)", "color": "#1b1b1b",
        "font-size": 11, "text-wrap": "wrap", "text-max-width": 120, "text-valign": "bottom", "text-margin-y": 4,
        "width": 22, "height": 22 } },
      { selector: "node.center", style: { "width": 34, "height": 34, "border-width": 3, "border-color": "#fd0" } },
      { selector: "edge", style: { "label": "data(label)", "font-size": 9, "color": "#505a5f", "width": 1.5,
        "line-color": "#b1b4b6", "target-arrow-shape": "triangle", "target-arrow-color": "#b1b4b6",
        "curve-style": "bezier" } }
    ],
    minZoom: 0.2,
    maxZoom: 1.4,
    wheelSensitivity: 0.3
  });
  var expanded = {};
  function load(iri, isCenter) {
    if (expanded[iri]) { return Promise.resolve(); }
    expanded[iri] = true;
    var params = new URLSearchParams({ iri: iri });
    if (box.dataset.year) { params.set("year", box.dataset.year); }
    if (box.dataset.authority) { params.set("authority", box.dataset.authority); }
    return fetch(box.dataset.src + "?" + params.toString(), { headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var added = [];
        (data.nodes || []).forEach(function (n) {
          if (cy.getElementById(n.id).empty()) {
            added.push({ group: "nodes", data: { id: n.id, label: n.label, kind: n.kind, url: n.url,
              colour: colours[n.kind] || colours.thing } });
          }
        });
        (data.edges || []).forEach(function (e) {
          if (cy.getElementById(e.id).empty()) { added.push({ group: "edges", data: e }); }
        });
        cy.add(added);
        if (isCenter) { cy.getElementById(iri).addClass("center"); }
        cy.layout({ name: "cose", animate: false, nodeRepulsion: 9000, idealEdgeLength: 120, fit: true,
          padding: 40 }).run();
        box.dataset.nodes = String(cy.nodes().length);
      });
  }
  cy.on("tap", "node", function (evt) { load(evt.target.id(), false); });
  cy.on("dbltap", "node", function (evt) { var u = evt.target.data("url"); if (u) { window.location.href = u; } });
  load(box.dataset.iri, true);
})();
