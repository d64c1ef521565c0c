// SPARQL page: the YASGUI workbench (editor with highlighting, error markers and completion
// from our ontology; results as tables, a pivot table, a chart or the raw response; share
// links; the competency questions as tabs). Without YASGUI, the plain editor below it stays: a small
// highlighter laid under the textarea that runs the query against /sparql.
(function () {
  "use strict";
  var ID_BASE = "https://w3id.org/councilkg/id/";
  var box = document.getElementById("workbench");
  var failed = document.getElementById("workbench-failed");
  var plain = document.getElementById("plain-editor");
  if (!box) { return; }
  if (typeof Yasgui !== "function") {
    if (failed) { failed.hidden = false; }
    return;
  }
  function json(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; }
  var vocab = json("sparql-vocabulary") || { prefixes: {}, classes: [], properties: [], prefix_lines: [] };
  var examples = json("sparql-examples") || [];
  // Prefixed names for IRIs: the ontology's prefixes and any the query declared.
  function shortener(yasr) {
    var own = yasr.config ? yasr.config.prefixes : null, shorten = {};
    try { own = typeof own === "function" ? own(yasr) : own; } catch (e) { own = null; }
    [vocab.prefixes, own || {}].forEach(function (m) { for (var k in m) { if (typeof m[k] === "string") { shorten[k] = m[k]; } } });
    return function (cell) {
      if (!cell) { return ""; }
      var v = cell.value;
      if (cell.type === "uri") {
        for (var p in shorten) { if (v.indexOf(shorten[p]) === 0) { return p + ":" + v.slice(shorten[p].length); } }
      }
      return v;
    };
  }
  function selectResults(yasr) {
    var results = yasr.results;
    if (!results || !results.getVariables || !results.getBindings) { return null; }
    var vars = results.getVariables() || [], rows = results.getBindings() || [];
    return vars.length && rows.length ? { vars: vars, rows: rows } : null;
  }
  function isNumber(cell) { return !!cell && cell.type !== "uri" && cell.value !== "" && !isNaN(Number(cell.value)); }
  // A bar chart of a SELECT result: the first column whose values are all numbers is the
  // bar length, the first other column the bar's label (one bar per row, at most 60).
  function BarChart(yasr) { this.yasr = yasr; this.priority = 5; this.label = "Chart"; }
  BarChart.prototype.columns = function () {
    var found = selectResults(this.yasr);
    if (!found) { return null; }
    var vars = found.vars, rows = found.rows;
    var numeric = vars.filter(function (v) { return rows.every(function (r) { return isNumber(r[v]); }); })[0];
    if (!numeric) { return null; }
    var label = vars.filter(function (v) { return v !== numeric; })[0] || numeric;
    return { value: numeric, label: label, rows: rows };
  };
  BarChart.prototype.canHandleResults = function () { return this.columns() !== null; };
  BarChart.prototype.getIcon = function () {
    var span = document.createElement("i");  // not a span: YASR hides spans in its buttons on narrow screens
    span.className = "chart-icon";
    span.setAttribute("aria-hidden", "true");
    span.textContent = "▮▮";
    return span;
  };
  BarChart.prototype.draw = function () {
    var c = this.columns(), ns = "http://www.w3.org/2000/svg";
    if (!c) { return; }
    var rows = c.rows.slice(0, 60), max = 0;
    rows.forEach(function (r) { max = Math.max(max, Math.abs(Number(r[c.value].value))); });
    var bar = 22, labelW = 260, width = 720, svg = document.createElementNS(ns, "svg");
    svg.setAttribute("class", "yasr-chart");
    svg.setAttribute("viewBox", "0 0 " + (labelW + width + 90) + " " + (rows.length * bar + 30));
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "Bar chart of " + c.value + " by " + c.label);
    var short = shortener(this.yasr);
    function name(cell) { var v = short(cell); return v.length > 40 ? v.slice(0, 39) + "…" : v; }
    rows.forEach(function (r, i) {
      var value = Number(r[c.value].value), y = i * bar + 20;
      var text = document.createElementNS(ns, "text");
      text.setAttribute("x", labelW - 8); text.setAttribute("y", y + 15); text.setAttribute("text-anchor", "end");
      text.textContent = name(r[c.label]);
      var rect = document.createElementNS(ns, "rect");
      rect.setAttribute("x", labelW); rect.setAttribute("y", y + 3);
      rect.setAttribute("width", max ? Math.max(1, Math.abs(value) / max * width) : 1); rect.setAttribute("height", bar - 6);
      var title = document.createElementNS(ns, "title");
      title.textContent = name(r[c.label]) + ": " + r[c.value].value;
      rect.appendChild(title);
      var num = document.createElementNS(ns, "text");
      num.setAttribute("x", labelW + (max ? Math.abs(value) / max * width : 0) + 6); num.setAttribute("y", y + 15);
      num.textContent = r[c.value].value;
      svg.appendChild(text); svg.appendChild(rect); svg.appendChild(num);
    });
    var caption = document.createElementNS(ns, "text");
    caption.setAttribute("x", labelW); caption.setAttribute("y", 12);
    caption.textContent = c.value + " by " + c.label + (c.rows.length > rows.length ? " (first " + rows.length + " rows)" : "");
    svg.appendChild(caption);
    this.yasr.resultsEl.appendChild(svg);
  };
  // A pivot table of a SELECT result (PivotTable.js, with its table, bar-table and heatmap
  // renderers): columns are dragged between the row and column axes, a value column is summed,
  // averaged or counted. It opens on the first text column down the side, a year-like column
  // (else the second text column) across the top, and the sum of the first other number column
  // (whole numbers stay whole; else a count). The arrangement (not the value filters) is kept with the tab (YASR's plugin config).
  var YEAR = /^(1[89]|20|21)[0-9][0-9]$/, NO_VALUE = "(no value)";
  function Pivot(yasr) { this.yasr = yasr; this.priority = 4; this.label = "Pivot"; }
  // Heatmap cells from white to a mid blue, so the dark figures stay readable (4.5:1 or more;
  // the library's own scale ends in pure red) and equal values still get a colour.
  function heatScale(values) {
    var min = Math.min.apply(Math, values), max = Math.max.apply(Math, values);
    return function (x) {
      var t = max > min ? (x - min) / (max - min) : 1;
      return "rgb(" + Math.round(255 - 97 * t) + "," + Math.round(255 - 53 * t) + "," + Math.round(255 - 30 * t) + ")";
    };
  }
  Pivot.prototype.canHandleResults = function () { return selectResults(this.yasr) !== null; };
  Pivot.prototype.getIcon = function () {
    var span = document.createElement("i");  // not a span: YASR hides spans in its buttons on narrow screens
    span.className = "pivot-icon";
    span.setAttribute("aria-hidden", "true");
    span.textContent = "⊞";
    return span;
  };
  Pivot.prototype.defaults = function (vars, rows) {
    var numeric = vars.filter(function (v) { return rows.every(function (r) { return isNumber(r[v]); }); });
    var yearly = vars.filter(function (v) {
      return /year/i.test(v) || rows.every(function (r) { return r[v] && YEAR.test(r[v].value); });
    });
    var text = vars.filter(function (v) { return numeric.indexOf(v) < 0 && yearly.indexOf(v) < 0; });
    var measure = numeric.filter(function (v) { return yearly.indexOf(v) < 0; })[0];
    var down = text[0] || vars[0];
    var across = yearly.filter(function (v) { return v !== down; })[0] || text[1];
    var whole = measure && rows.every(function (r) { return /^-?[0-9]+$/.test(r[measure].value); });
    return { rows: [down], cols: across ? [across] : [], vals: measure ? [measure] : [],
             aggregatorName: measure ? (whole ? "Integer Sum" : "Sum") : "Count", rendererName: "Table" };
  };
  Pivot.prototype.draw = function (persistent) {
    var found = selectResults(this.yasr), yasr = this.yasr, $ = window.jQuery;
    if (!found) { return; }
    var short = shortener(yasr), vars = found.vars;
    var records = found.rows.map(function (r) {
      var record = {};
      vars.forEach(function (v) { record[v] = r[v] ? short(r[v]) : NO_VALUE; });
      return record;
    });
    var start = this.defaults(vars, found.rows), kept = persistent || {};
    function known(list) { return (list || []).filter(function (v) { return vars.indexOf(v) >= 0; }); }
    if (known(kept.rows).length || known(kept.cols).length) {
      start = { rows: known(kept.rows), cols: known(kept.cols), vals: known(kept.vals),
                aggregatorName: kept.aggregatorName || start.aggregatorName,
                rendererName: kept.rendererName || start.rendererName };
    }
    var wrap = document.createElement("div");
    wrap.className = "yasr-pivot";
    yasr.resultsEl.appendChild(wrap);
    var utils = $.pivotUtilities, current = start;
    function render(config, focus) {
      $(wrap).pivotUI(records, $.extend({}, config, {
        renderers: utils.renderers,
        unusedAttrsVertical: false,
        rendererOptions: { heatmap: { colorScaleGenerator: heatScale } },
        menuLimit: 500,
        onRefresh: function (c) {
          var arrangement = { rows: c.rows.slice(), cols: c.cols.slice(), vals: c.vals.slice(),
                              aggregatorName: c.aggregatorName, rendererName: c.rendererName };
          current = $.extend({ exclusions: c.exclusions, inclusions: c.inclusions }, arrangement);
          labelPivot(wrap, current);
          yasr.storePluginConfig("pivot", arrangement);
          wrap.dataset.rows = String(c.rows.join(","));
          wrap.dataset.cols = String(c.cols.join(","));
        }
      }), true);
      adaptPivotUi(wrap, move);
      labelPivot(wrap, config);
      if (focus) {
        var item = wrap.querySelector('li[data-attr="' + focus.replace(/["\\]/g, "") + '"]');
        if (item) { item.focus(); }
      }
    }
    // Without a mouse: Enter on a column name moves it on, from unused to the rows, then to the
    // columns, then back (jQuery UI's dragging has no keyboard equivalent).
    function move(attr) {
      var rows = current.rows.filter(function (a) { return a !== attr; });
      var cols = current.cols.filter(function (a) { return a !== attr; });
      if (current.rows.indexOf(attr) >= 0) { cols.push(attr); } else if (current.cols.indexOf(attr) < 0) { rows.push(attr); }
      render($.extend({}, current, { rows: rows, cols: cols }), attr);
    }
    render(start);
  };
  // The pivot's table as tab-separated text (what a spreadsheet pastes), for YASR's download
  // button: header cells spanning rows or columns fill the cells they cover with blanks.
  // The table is looked up when the button is pressed: PivotTable.js draws it a moment after
  // YASR asks whether there is anything to download.
  Pivot.prototype.download = function () {
    var results = this.yasr.resultsEl;
    return { contentType: "text/tab-separated-values", filename: "pivot.tsv", title: "Download the pivot table",
      getData: function () {
        var table = results.querySelector("table.pvtTable"), grid = [];
        if (!table) { return ""; }
        Array.prototype.forEach.call(table.rows, function (tr, r) {
          grid[r] = grid[r] || [];
          var c = 0;
          Array.prototype.forEach.call(tr.cells, function (cell) {
            while (grid[r][c] !== undefined) { c += 1; }
            for (var dr = 0; dr < (cell.rowSpan || 1); dr++) {
              grid[r + dr] = grid[r + dr] || [];
              for (var dc = 0; dc < (cell.colSpan || 1); dc++) {
                grid[r + dr][c + dc] = dr || dc ? "" : cell.textContent.replace(/[\t\n]+/g, " ").trim();
              }
            }
            c += cell.colSpan || 1;
          });
        });
        return grid.map(function (row) {
          return Array.prototype.map.call(row, function (v) { return v === undefined ? "" : v; }).join("\t");
        }).join("\n") + "\n";
      } };
  };
  // Once per drawing, what PivotTable.js's layout leaves out for assistive technology: its
  // layout table is presentation only, the boxes the column names are dragged between are lists
  // (they hold list items), and each column's value filter box is moved out of those lists into
  // the pivot's own box (placed under its triangle when opened), its title a plain line rather
  // than an out-of-order h4.
  function adaptPivotUi(wrap, move) {
    wrap.querySelectorAll("table.pvtUi").forEach(function (t) { t.setAttribute("role", "presentation"); });
    wrap.querySelectorAll("td.pvtAxisContainer li").forEach(function (li) {
      var name = li.querySelector(".pvtAttr");
      li.dataset.attr = name && name.firstChild ? name.firstChild.textContent : "";
      li.setAttribute("tabindex", "0");
      li.addEventListener("keydown", function (e) {
        if (e.target === li && (e.key === "Enter" || e.key === " ")) { e.preventDefault(); move(li.dataset.attr); }
      });
    });
    wrap.querySelectorAll("td.pvtAxisContainer").forEach(function (td) {
      td.setAttribute("role", "list");
      td.setAttribute("aria-label", td.classList.contains("pvtRows") ? "Rows of the pivot"
        : td.classList.contains("pvtCols") ? "Columns of the pivot" : "Columns not in the pivot");
    });
    wrap.querySelectorAll(".pvtFilterBox").forEach(function (filterBox) {
      var item = filterBox.previousElementSibling;
      var triangle = item ? item.querySelector(".pvtTriangle") : null;
      filterBox.querySelectorAll("h4").forEach(function (h) {
        var title = document.createElement("p");
        title.className = "pvtFilterTitle";
        while (h.firstChild) { title.appendChild(h.firstChild); }
        h.parentNode.replaceChild(title, h);
      });
      wrap.appendChild(filterBox);
      if (!triangle) { return; }
      triangle.addEventListener("click", function () {  // after the library has shown the box
        var at = triangle.getBoundingClientRect(), base = wrap.getBoundingClientRect();
        var left = at.left - base.left + wrap.scrollLeft;
        filterBox.style.left = Math.max(0, Math.min(left, wrap.clientWidth - filterBox.offsetWidth)) + "px";
        filterBox.style.top = (at.bottom - base.top + 4) + "px";
      });
    });
  }
  // On every refresh: PivotTable.js leaves its menus and the filter boxes' search fields
  // without a name, and the pivot table's corner header cells empty.
  function labelPivot(wrap, config) {
    wrap.querySelectorAll("td.pvtAxisContainer li[data-attr]").forEach(function (li) {
      var attr = li.dataset.attr;
      var where = config.rows.indexOf(attr) >= 0 ? ["in the rows", "the columns"]
        : config.cols.indexOf(attr) >= 0 ? ["in the columns", "out of the pivot"] : ["not in the pivot", "the rows"];
      li.setAttribute("aria-label", attr + ", " + where[0] + "; Enter moves it to " + where[1]);
    });
    // On narrow screens the explorer's stylesheet lets a wide table scroll in its own box: the
    // keyboard must reach it to scroll it.
    wrap.querySelectorAll("table.pvtTable").forEach(function (t) { t.setAttribute("tabindex", "0"); });
    wrap.querySelectorAll("table.pvtTable th").forEach(function (th) {
      if (th.textContent.trim()) { return; }
      var td = document.createElement("td");
      td.colSpan = th.colSpan; td.rowSpan = th.rowSpan;
      td.className = th.className + " pvtCorner";
      th.parentNode.replaceChild(td, th);
    });
    var names = { "select.pvtRenderer": "Pivot view", "select.pvtAggregator": "Summary of the values",
                  "select.pvtAttrDropdown": "Value column", "input.pvtSearch": "Filter the values" };
    Object.keys(names).forEach(function (sel) {
      wrap.querySelectorAll(sel).forEach(function (el, i) {
        el.setAttribute("aria-label", names[sel] + (sel === "select.pvtAttrDropdown" && i ? " " + (i + 1) : ""));
      });
    });
    // The triangle that opens a column's value filter is a bare span: make it a named button
    // that the keyboard reaches (Enter or Space opens the filter).
    wrap.querySelectorAll(".pvtAttr .pvtTriangle:not([role])").forEach(function (el) {
      var attr = el.parentNode.firstChild ? el.parentNode.firstChild.textContent : "";
      el.setAttribute("role", "button");
      el.setAttribute("tabindex", "0");
      el.setAttribute("aria-label", "Filter the values of " + attr);
      el.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); el.click(); }
      });
    });
  }

  // What YASGUI leaves out for assistive technology: the "add tab" button sits inside its tab
  // list (a tablist may hold only tabs), and its endpoint box, the editor's text area and the
  // tab-name boxes have no label. New tabs bring new fields, so they are labelled as they come.
  function accessible(gui) {
    var tabs = gui.tabElements, list = box.querySelector(".tabsList");
    if (tabs && tabs.addTabEl && list && tabs.addTabEl.parentNode === list) {
      list.parentNode.insertBefore(tabs.addTabEl, list.nextSibling);
      tabs.addTabEl.classList.add("add-tab");
      tabs.addTabEl = null;  // new tabs are then appended to the list (insertBefore null)
    }
    function label() {
      box.querySelectorAll("input.autocomplete:not([aria-label])").forEach(function (el) {
        el.setAttribute("aria-label", "SPARQL endpoint");
      });
      box.querySelectorAll(".CodeMirror textarea:not([aria-label])").forEach(function (el) {
        el.setAttribute("aria-label", "SPARQL query");
      });
      box.querySelectorAll(".tabsList input[type=text]:not([aria-label])").forEach(function (el) {
        el.setAttribute("aria-label", "Tab name");
      });
      // A long query scrolls inside the editor's box: the keyboard can reach (and scroll) it.
      box.querySelectorAll(".CodeMirror-scroll:not([aria-label])").forEach(function (el) {
        el.setAttribute("tabindex", "0");
        el.setAttribute("aria-label", "SPARQL query, scrolled");
      });
    }
    label();
    new MutationObserver(label).observe(box, { childList: true, subtree: true });
  }
  var Yasqe = Yasgui.Yasqe, Yasr = Yasgui.Yasr;
  // Completion from our own vocabulary, held in the page: nothing is asked of prefix.cc or LOV.
  Yasqe.forkAutocompleter("prefixes", { name: "ck-prefixes", persistenceId: null,
    get: function () { return vocab.prefix_lines; } });
  Yasqe.forkAutocompleter("class", { name: "ck-classes", bulk: true, autoShow: true,
    get: function () { return vocab.classes; } });
  Yasqe.forkAutocompleter("property", { name: "ck-properties", bulk: true, autoShow: true,
    get: function () { return vocab.properties; } });
  Yasqe.defaults.autocompleters = ["ck-prefixes", "variables", "ck-classes", "ck-properties"];
  Yasr.defaults.prefixes = vocab.prefixes;
  Yasr.registerPlugin("chart", BarChart);
  var order = ["table", "chart", "response"];
  // The pivot view only where its libraries loaded (packaged as jquery.min.js, jquery-ui.min.js
  // and pivot.min.js); without them the table, chart and response views stay.
  if (window.jQuery && window.jQuery.fn && window.jQuery.fn.pivotUI && window.jQuery.fn.sortable) {
    Yasr.registerPlugin("pivot", Pivot);
    order = ["table", "pivot", "chart", "response"];
  } else if (document.getElementById("pivot-failed")) {
    document.getElementById("pivot-failed").hidden = false;
  }
  Yasr.defaults.pluginOrder = order;
  Yasr.defaults.defaultPlugin = "table";

  var endpoint = new URL(box.dataset.endpoint, window.location.href).href;
  var initial = document.getElementById("query");
  box.hidden = false;
  if (!box.dataset.serverResults && plain) { plain.hidden = true; }
  var yasgui = new Yasgui(box, {
    requestConfig: { endpoint: endpoint, method: "POST",
      acceptHeaderSelect: "application/sparql-results+json", acceptHeaderGraph: "text/turtle" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    persistenceId: "councilkg-workbench",
    populateFromUrl: true,
    yasqe: { value: initial ? initial.value : "" }
  });
  window.councilkgYasgui = yasgui;  // for tests and the browser console
  accessible(yasgui);
  var current = yasgui.getTab();
  // A link to one competency question (?example=…) opens that question, whatever was kept.
  if (box.dataset.chosen && initial && current) { current.setQuery(initial.value); }

  function openExample(example) {
    var tab = yasgui.addTab(true, { name: example.title.slice(0, 40), yasqe: { value: example.query } });
    tab.setQuery(example.query);
    tab.show();
    tab.query();
  }
  document.querySelectorAll("a.example").forEach(function (a) {
    a.addEventListener("click", function (e) {
      var example = examples.filter(function (q) { return q.name === a.dataset.name; })[0];
      if (!example) { return; }
      e.preventDefault();
      openExample(example);
    });
  });
  // Our entity IRIs open their local pages (/id/…), not the w3id address.
  yasgui.on("queryResponse", function () {
    window.setTimeout(function () {
      box.querySelectorAll('a[href^="' + ID_BASE + '"]').forEach(function (a) {
        a.href = "/id/" + a.getAttribute("href").slice(ID_BASE.length);
        a.removeAttribute("target");
      });
    }, 0);
  });

})();

// The plain editor (the fallback): a small highlighter and results drawn as a table (text only, escaped).
(function () {
  "use strict";
  var area = document.getElementById("query");
  var code = document.getElementById("query-highlight");
  var status = document.getElementById("status");
  var results = document.getElementById("results");
  if (!area || !code || document.getElementById("plain-editor").hidden) { return; }
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
