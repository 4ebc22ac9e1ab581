// Draws every chart of a report page from the JSON the server put in #report-charts:
// [{id, title, kind: pie|bar|line, categories, series: [{name, data}], links}]. Clicking a
// point (a slice, a bar, a dot) opens the list of the records behind it.
(function () {
  "use strict";
  var source = document.getElementById("report-charts");
  if (!source || typeof echarts === "undefined") return;
  var charts = JSON.parse(source.textContent);
  var drawn = [];

  function options(chart) {
    var title = { text: chart.title, left: "center", textStyle: { fontSize: 14 } };
    if (chart.kind === "pie") {
      var values = (chart.series[0] || { data: [] }).data;
      return {
        title: title,
        tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
        series: [{
          type: "pie",
          radius: ["30%", "62%"],
          top: 30,
          data: chart.categories.map(function (name, index) { return { name: name, value: values[index] }; }),
          label: { formatter: "{b}\n{c}" }
        }]
      };
    }
    // Counts (every value whole) are read off an axis of whole numbers: two unions, not 1.5.
    var whole = chart.series.every(function (series) {
      return series.data.every(function (value) { return Number.isInteger(value); });
    });
    return {
      title: title,
      tooltip: { trigger: "axis" },
      legend: chart.series.length > 1 ? { bottom: 0 } : undefined,
      grid: { left: 60, right: 20, top: 40, bottom: chart.series.length > 1 ? 50 : 30, containLabel: true },
      xAxis: { type: "category", data: chart.categories, axisLabel: { interval: 0, rotate: chart.categories.length > 6 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: whole ? 1 : 0 },
      series: chart.series.map(function (series) {
        return { name: series.name, type: chart.kind === "line" ? "line" : "bar", data: series.data };
      })
    };
  }

  charts.forEach(function (chart) {
    var element = document.getElementById(chart.id);
    if (!element) return;
    var instance = echarts.init(element);
    instance.setOption(options(chart));
    instance.on("click", function (params) {
      var link = chart.links && chart.links[params.dataIndex];
      if (link) window.location.href = link;
    });
    element.dataset.ready = "true";
    drawn.push(instance);
  });

  window.addEventListener("resize", function () {
    drawn.forEach(function (instance) { instance.resize(); });
  });
  // Redraw at the printed width so no chart is cut at the page's edge.
  window.addEventListener("beforeprint", function () {
    drawn.forEach(function (instance) { instance.resize(); });
  });
  window.addEventListener("afterprint", function () {
    drawn.forEach(function (instance) { instance.resize(); });
  });
})();
