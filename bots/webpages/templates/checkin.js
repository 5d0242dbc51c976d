(function () {
  "use strict";
  var T = JSON.parse(document.getElementById("texts").textContent);
  var button = document.getElementById("locate");
  var status = document.getElementById("status");
  function show(text, kind) {
    status.textContent = text;
    status.className = "status " + (kind || "");
  }
  function post(position) {
    show(T.sending);
    var c = position.coords;
    fetch(window.location.pathname, {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify({lat: c.latitude, lon: c.longitude, accuracy_m: c.accuracy})
    }).then(function (r) {
      return r.json().then(function (data) { return {ok: r.ok, data: data}; });
    }).then(function (res) {
      var detail = typeof res.data.detail === "string" ? res.data.detail : T.failed;
      show(res.ok ? res.data.message : detail, res.ok ? "ok" : "error");
      button.hidden = true;
    }).catch(function () {
      show(T.failed, "error");
      button.disabled = false;
    });
  }
  function failed(err) {
    show(err && err.code === 1 ? T.denied : T.unavailable, "error");
    button.disabled = false;
  }
  button.addEventListener("click", function () {
    if (!navigator.geolocation) { show(T.unavailable, "error"); return; }
    button.disabled = true;
    show(T.locating);
    navigator.geolocation.getCurrentPosition(post, failed, {enableHighAccuracy: true, timeout: 20000, maximumAge: 0});
  });
})();
