// SPARQL page: a small syntax highlighter laid under the textarea, example loading, and
// running the query against /sparql with the results drawn as a table (text only, escaped).
(function () {
  "use strict";
  var area = document.getElementById("query");
  var code = document.getElementById("query-highlight");
  var status = document.getElementById("status");
  var results = document.getElementById("results");
  if (!area || !code) { return; }
  area.parentNode.classList.remove("plain");  // the highlighter is live: show it under the text
  var KEYWORDS = /^(SELECT|ASK|CONSTRUCT|DESCRIBE|WHERE|PREFIX|BASE|OPTIONAL|FILTER|UNION|MINUS|GRAPH|BIND|VALUES|GROUP|BY|ORDER|HAVING|LIMIT|OFFSET|DISTINCT|REDUCED|AS|ASC|DESC|NOT|EXISTS|IN|COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT|SEPARATOR|STR|LANG|REGEX|CONTAINS|LCASE|UCASE|YEAR|COALESCE|IF|a)$/i;
  var TOKEN = /(#[^\n]*)|("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|(<[^>\s]*>)|([?$][A-Za-z_][\w]*)|([A-Za-z][\w-]*:[\w-]*)|([A-Za-z_]+)|([\s\S])/g;
  function esc(s) { return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"); }
  function highlight() {
    var html = area.value.replace(TOKEN, function (m, com, str, iri, v, pfx, word) {
      if (com) { return '<span class="tok-com">' + esc(com) + "</span>"; }
      if (str) { return '<span class="tok-str">' + esc(str) + "</span>"; }
      if (iri) { return '<span class="tok-iri">' + esc(iri) + "</span>"; }
      if (v) { return '<span class="tok-var">' + esc(v) + "</span>"; }
      if (pfx) { return '<span class="tok-pfx">' + esc(pfx) + "</span>"; }
      if (word && KEYWORDS.test(word)) { return '<span class="tok-kw">' + esc(word) + "</span>"; }
      return esc(m);
    });
    code.innerHTML = html + "\n";
  }
  function cell(binding) {
    var td = document.createElement("td");
    if (!binding) { return td; }
    if (binding.type === "uri") {
      var a = document.createElement("a");
      var local = binding.value.indexOf("https://w3id.org/councilkg/id/") === 0;
      a.href = local ? "/id/" + binding.value.slice(30) : binding.value;
      a.textContent = binding.value;
      td.appendChild(a);
    } else { td.textContent = binding.value; }
    return td;
  }
  function drawTable(data) {
    results.textContent = "";
    if (typeof data.boolean === "boolean") { status.textContent = "Answer: " + data.boolean; return; }
    var vars = data.head.vars, rows = data.results.bindings;
    var table = document.createElement("table"), thead = document.createElement("thead"), tr = document.createElement("tr");
    vars.forEach(function (v) { var th = document.createElement("th"); th.scope = "col"; th.textContent = v; tr.appendChild(th); });
    thead.appendChild(tr); table.appendChild(thead);
    var tbody = document.createElement("tbody");
    rows.forEach(function (b) { var r = document.createElement("tr"); vars.forEach(function (v) { r.appendChild(cell(b[v])); }); tbody.appendChild(r); });
    table.appendChild(tbody); results.appendChild(table);
    status.textContent = rows.length + " row" + (rows.length === 1 ? "" : "s");
  }
  function run() {
    status.textContent = "Running…";
    status.className = "muted";
    results.textContent = "";
    var started = performance.now();
    fetch("/sparql", { method: "POST", headers: { "Content-Type": "application/sparql-query",
      "Accept": "application/sparql-results+json, text/turtle;q=0.9" }, body: area.value })
      .then(function (r) {
        var type = r.headers.get("Content-Type") || "";
        if (!r.ok) { return r.json().then(function (e) { throw new Error(e.error || r.statusText); }); }
        if (type.indexOf("json") >= 0) { return r.json().then(drawTable); }
        return r.text().then(function (t) { var pre = document.createElement("pre"); pre.textContent = t; results.appendChild(pre); status.textContent = "Graph result"; });
      })
      .then(function () { status.textContent += " · " + Math.round(performance.now() - started) + " ms"; })
      .catch(function (e) { status.textContent = "Error: " + e.message; status.className = "error"; });
  }
  area.addEventListener("input", highlight);
  area.addEventListener("scroll", function () { code.parentNode.scrollTop = area.scrollTop; });
  area.addEventListener("keydown", function (e) { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); } });
  document.getElementById("run").addEventListener("click", function (e) { e.preventDefault(); run(); });
  document.querySelectorAll("a.example").forEach(function (a) {
    a.addEventListener("click", function (e) {
      e.preventDefault();
      fetch(a.href).then(function (r) { return r.text(); }).then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        area.value = doc.getElementById("query").value;
        highlight();
        run();
      });
    });
  });
  highlight();
})();
