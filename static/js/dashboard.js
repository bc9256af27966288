// Draws the dashboard's charts from the JSON the page carries; a click on a bar opens the filtered list.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var font = { fontFamily: getComputedStyle(document.body).fontFamily };

  function draw(id, option, rows) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = echarts.init(el, null, { renderer: "svg" });
    option.textStyle = font;
    chart.setOption(option);
    chart.on("click", function (params) {
      var row = rows[params.dataIndex];
      if (row && row.url) { window.location.href = row.url; }
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  draw("chart-category", {
    tooltip: {},
    grid: { left: 40, right: 10, top: 20, bottom: 30 },
    xAxis: { type: "category", data: data.category.map(function (r) { return r.name; }) },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", data: data.category.map(function (r) { return r.value; }), label: { show: true, position: "top" }, cursor: "pointer" }]
  }, data.category);

  draw("chart-units", {
    tooltip: { trigger: "axis" },
    legend: { data: ["主办", "协办", "分办"] },
    grid: { left: 150, right: 20, top: 30, bottom: 20 },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", inverse: true, data: data.units.map(function (r) { return r.unit; }) },
    series: [
      { name: "主办", type: "bar", stack: "n", data: data.units.map(function (r) { return r.lead; }) },
      { name: "协办", type: "bar", stack: "n", data: data.units.map(function (r) { return r.co; }) },
      { name: "分办", type: "bar", stack: "n", data: data.units.map(function (r) { return r.separate; }) }
    ]
  }, data.units);

  draw("chart-states", {
    tooltip: { trigger: "item", formatter: "{b}: {c}件" },
    series: [{ type: "funnel", sort: "none", left: "10%", width: "80%", minSize: "20%",
      label: { position: "inside", formatter: "{b} {c}件" },
      data: data.funnel.map(function (r) { return { name: r.name, value: r.value }; }) }]
  }, []);

  draw("chart-classes", {
    tooltip: { trigger: "item" },
    series: [{ type: "pie", radius: ["40%", "70%"], label: { formatter: "{b}类 {c}件" },
      data: data.classes.map(function (r) { return { name: r.name, value: r.value }; }) }]
  }, data.classes);

  draw("chart-sessions", {
    tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null ? "—" : (v * 100).toFixed(1) + "%"; } },
    legend: { data: data.session_rates.map(function (s) { return s.name; }), top: 0 },
    grid: { left: 50, right: 20, top: 36, bottom: 30 },
    xAxis: { type: "category", data: data.sessions.map(function (r) { return r.year + "年"; }) },
    yAxis: { type: "value", min: 0, max: 1, axisLabel: { formatter: function (v) { return (v * 100) + "%"; } } },
    series: data.session_rates.map(function (s) {
      return { name: s.name, type: "line", data: data.sessions.map(function (r) { return r[s.key]; }) };
    })
  }, data.sessions.map(function (r) { return { url: "?session=" + r.session_id }; }));
})();
