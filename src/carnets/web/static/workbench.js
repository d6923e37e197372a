// The Carnets query workbench: YASGUI on this server's endpoint, the edition's prefixes, the
// cookbook's questions one click away, a chart view, downloads in every format, and links to
// the edition's resources that stay on this server. No request leaves this host.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("workbench-config").textContent);
  var endpoint = new URL(config.endpoint, window.location.href).toString();
  var recipes = {};
  config.recipes.forEach(function (recipe) { recipes[recipe.name] = recipe; });

  var prefixLines = ["cn", "oa", "schema", "skos", "crm", "dcterms", "manner", "certainty"]
    .filter(function (name) { return config.prefixes[name]; })
    .map(function (name) { return "PREFIX " + name + ": <" + config.prefixes[name] + ">"; });
  var startQuery = prefixLines.join("\n") + "\n\n" +
    "# The people the texts mention most, with how often.\n" +
    "SELECT ?person ?name (COUNT(?mention) AS ?mentions) WHERE {\n" +
    "  ?person a cn:Person ; skos:prefLabel ?name . FILTER(LANG(?name) = \"en\")\n" +
    "  ?mention oa:hasBody ?person .\n" +
    "} GROUP BY ?person ?name ORDER BY DESC(?mentions) LIMIT 20\n";

  // A chart of the first numeric column against the first other column, as plain SVG.
  function ChartPlugin(yasr) {
    this.yasr = yasr;
    this.priority = 5;
    this.label = "Chart";
    this.helpReference = "";
  }
  ChartPlugin.prototype.columns = function () {
    var results = this.yasr.results;
    if (!results || results.getType() !== "json" || !results.getBindings) return null;
    var bindings = results.getBindings() || [];
    var variables = results.getVariables() || [];
    var numeric = variables.find(function (v) {
      return bindings.length > 0 && bindings.every(function (b) {
        return b[v] && b[v].type !== "uri" && b[v].value !== "" && !isNaN(Number(b[v].value));
      });
    });
    if (!numeric) return null;
    var label = variables.find(function (v) { return v !== numeric; }) || numeric;
    return { numeric: numeric, label: label, bindings: bindings };
  };
  ChartPlugin.prototype.canHandleResults = function () { return this.columns() !== null; };
  ChartPlugin.prototype.getIcon = function () {
    var icon = document.createElement("span");
    icon.textContent = "▥";
    icon.setAttribute("aria-hidden", "true");
    return icon;
  };
  ChartPlugin.prototype.draw = function () {
    var found = this.columns();
    var el = this.yasr.resultsEl;
    el.innerHTML = "";
    if (!found) return;
    var rows = found.bindings.slice(0, 60).map(function (b) {
      var term = b[found.label];
      var text = term ? compact(term.value) : "";
      return { text: text, value: Number(b[found.numeric].value) };
    });
    var max = Math.max.apply(null, rows.map(function (r) { return r.value; }).concat([1]));
    var ns = "http://www.w3.org/2000/svg";
    var rowHeight = 22, labelWidth = 260, width = 760, height = rows.length * rowHeight + 10;
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    svg.setAttribute("width", "100%");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "Chart of ?" + found.numeric + " by ?" + found.label);
    svg.setAttribute("class", "carnets-chart");
    rows.forEach(function (row, i) {
      var y = 5 + i * rowHeight;
      var text = document.createElementNS(ns, "text");
      text.setAttribute("x", labelWidth - 6); text.setAttribute("y", y + 15);
      text.setAttribute("text-anchor", "end"); text.setAttribute("font-size", "13");
      text.textContent = row.text.length > 38 ? row.text.slice(0, 37) + "…" : row.text;
      var bar = document.createElementNS(ns, "rect");
      bar.setAttribute("x", labelWidth); bar.setAttribute("y", y + 3);
      bar.setAttribute("height", rowHeight - 6);
      bar.setAttribute("width", Math.max(1, (width - labelWidth - 60) * row.value / max));
      bar.setAttribute("class", "chart-bar");
      var value = document.createElementNS(ns, "text");
      value.setAttribute("x", labelWidth + 6 + (width - labelWidth - 60) * row.value / max);
      value.setAttribute("y", y + 15); value.setAttribute("font-size", "12");
      value.textContent = String(row.value);
      svg.appendChild(text); svg.appendChild(bar); svg.appendChild(value);
    });
    el.appendChild(svg);
  };

  function compact(iri) {
    var best = null;
    Object.keys(config.prefixes).forEach(function (name) {
      var ns = config.prefixes[name];
      if (iri.indexOf(ns) === 0 && (!best || ns.length > config.prefixes[best].length)) best = name;
    });
    return best ? best + ":" + iri.slice(config.prefixes[best].length) : iri;
  }

  // Links to the edition's resources and the ontology's terms go to this server.
  function localHref(href) {
    if (href.indexOf(config.base) === 0) return "/" + href.slice(config.base.length);
    var ontology = "https://w3id.org/carnets/ontology";
    if (href.indexOf(ontology) === 0 && "#/".indexOf(href.charAt(ontology.length)) >= 0) {
      return "/ontology" + href.slice(ontology.length);
    }
    return null;
  }
  function localiseLinks(root) {
    root.querySelectorAll("a[href]").forEach(function (a) {
      var local = localHref(a.getAttribute("href"));
      if (local) { a.setAttribute("href", local); a.removeAttribute("target"); }
    });
  }

  var formats = {
    select: [["json", "SPARQL JSON"], ["xml", "SPARQL XML"], ["csv", "CSV"], ["tsv", "TSV"]],
    graph: [["ttl", "Turtle"], ["nt", "N-Triples"], ["jsonld", "JSON-LD"], ["rdf", "RDF/XML"]],
  };
  function updateDownloads(yasqe) {
    var el = document.getElementById("downloads");
    if (!el || !yasqe) return;
    var type = (yasqe.getQueryType && yasqe.getQueryType()) || "SELECT";
    var list = type === "CONSTRUCT" || type === "DESCRIBE" ? formats.graph : formats.select;
    var query = yasqe.getValue();
    el.textContent = "Download the results: ";
    list.forEach(function (pair, i) {
      var a = document.createElement("a");
      a.href = config.endpoint + "?query=" + encodeURIComponent(query) + "&format=" + pair[0];
      a.textContent = pair[1];
      a.setAttribute("download", "carnets-results." + pair[0]);
      el.appendChild(a);
      if (i < list.length - 1) el.appendChild(document.createTextNode(" · "));
    });
  }

  // YASGUI's own markup, made readable by assistive technology: names for its inputs, and the
  // "add a tab" button moved out of the tab list (a tab list holds only tabs). Idempotent: it
  // runs again whenever YASGUI redraws.
  function accessible(root) {
    if (!root) return;
    root.querySelectorAll("input.autocomplete:not([aria-label])").forEach(function (input) {
      input.setAttribute("aria-label", "SPARQL endpoint");
    });
    root.querySelectorAll(".CodeMirror textarea:not([aria-label])").forEach(function (area) {
      area.setAttribute("aria-label", "SPARQL query");
    });
    root.querySelectorAll(".tabsList a[role=tab] input:not([aria-label])").forEach(function (input) {
      input.setAttribute("aria-label", "Name of the tab");
    });
    root.querySelectorAll(".tabsList > div > button.addTab").forEach(function (button) {
      button.parentNode.parentNode.after(button);
    });
  }

  function start() {
    if (typeof Yasgui === "undefined") return;
    Yasgui.Yasr.registerPlugin("chart", ChartPlugin);
    var yasgui = new Yasgui(document.getElementById("workbench"), {
      requestConfig: { endpoint: endpoint, method: "POST" },
      copyEndpointOnNewTab: true,
      endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
      persistenceId: "carnets-workbench",
      populateFromUrl: false,
      yasqe: { value: startQuery, autocompleters: ["prefixes", "variables"] },
      yasr: { prefixes: config.prefixes, defaultPlugin: "table" },
    });
    window.carnetsWorkbench = yasgui;
    accessible(document.getElementById("workbench"));
    new MutationObserver(function () { accessible(document.getElementById("workbench")); })
      .observe(document.getElementById("workbench"), { childList: true, subtree: true });

    function watch(tab) {
      if (!tab || tab.carnetsWatched) return;
      tab.carnetsWatched = true;
      var yasqe = tab.getYasqe();
      var yasr = tab.getYasr();
      if (yasqe) {
        yasqe.on("change", function () { updateDownloads(yasqe); });
        updateDownloads(yasqe);
      }
      if (yasr) yasr.on("drawn", function () { localiseLinks(yasr.resultsEl); });
    }
    watch(yasgui.getTab());
    yasgui.on("tabSelect", function (instance, id) {
      setTimeout(function () { var tab = yasgui.getTab(id); watch(tab); updateDownloads(tab && tab.getYasqe()); }, 0);
    });
    yasgui.on("tabAdd", function (instance, id) { setTimeout(function () { watch(yasgui.getTab(id)); }, 0); });

    function openRecipe(name) {
      var recipe = recipes[name];
      if (!recipe) return;
      var tab = yasgui.addTab(true, { name: recipe.title.slice(0, 40) });
      tab.show();
      watch(tab);
      tab.setQuery(recipe.query);
      updateDownloads(tab.getYasqe());
      var label = document.querySelector("#workbench .tabPanel.active") || document.getElementById("workbench");
      label.setAttribute("aria-label", recipe.title);
    }
    document.querySelectorAll("button[data-recipe]").forEach(function (button) {
      button.addEventListener("click", function () {
        openRecipe(button.getAttribute("data-recipe"));
        document.getElementById("workbench").scrollIntoView({ block: "start" });
      });
    });
    function fromHash() {
      var hash = window.location.hash.slice(1);
      var params = new URLSearchParams(hash);
      if (params.get("recipe")) openRecipe(params.get("recipe"));
      else if (params.get("query")) {
        var tab = yasgui.addTab(true, { name: params.get("name") || "Query" });
        tab.show(); watch(tab); tab.setQuery(params.get("query"));
      }
    }
    fromHash();
    window.addEventListener("hashchange", fromHash);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
