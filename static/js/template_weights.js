/*
 * The appraisal template form (performance setup, PRF-1): the live sum of the weights and
 * "add a row". Loaded by performance/setup/template_form.html; no inline script (CSP).
 */
// The server's check is the one that counts (PRF-1).
(function () {
  var table = document.getElementById("template-rows");
  var sum = document.getElementById("weight-sum");
  if (!table || !sum) return;
  function cents(text) {
    var value = String(text || "").trim().replace(",", ".");
    if (!/^\d+(\.\d{1,2})?$/.test(value)) return value === "" ? 0 : NaN;
    var parts = value.split(".");
    return parseInt(parts[0], 10) * 100 + parseInt(((parts[1] || "") + "00").slice(0, 2), 10);
  }
  function update() {
    var total = 0, bad = false;
    table.querySelectorAll("input[name=weight]").forEach(function (input) {
      var c = cents(input.value);
      if (isNaN(c)) { bad = true; input.classList.add("is-invalid"); } else { total += c; input.classList.remove("is-invalid"); }
    });
    table.querySelectorAll(".row-number").forEach(function (cell, i) { cell.textContent = i + 1; });
    sum.textContent = bad ? "?" : (total / 100).toFixed(2).replace(/\.00$/, "");
    sum.className = !bad && total === 10000 ? "text-success" : "text-danger";
  }
  table.addEventListener("input", update);
  table.addEventListener("click", function (event) {
    var button = event.target.closest(".row-clear");
    if (!button) return;
    var row = button.closest("tr");
    row.querySelector("select").value = "";
    row.querySelector("input").value = "";
    update();
  });
  var add = document.getElementById("row-add");
  if (add) {
    add.addEventListener("click", function () {
      var rows = table.querySelectorAll("tbody tr");
      var copy = rows[rows.length - 1].cloneNode(true);
      copy.querySelector("select").value = "";
      copy.querySelector("input").value = "";
      table.querySelector("tbody").appendChild(copy);
      update();
      copy.querySelector("select").focus();
    });
  }
  update();
})();
