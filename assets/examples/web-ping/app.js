// web-ping: sends an HTTPS request to $TARGET every few seconds and logs how
// long the answer took. The lecture's example app, written for layerlab.
const https = require("https");

const target = process.env.TARGET || "blog.sixeyed.com";
const method = process.env.METHOD || "HEAD";
const interval = parseInt(process.env.INTERVAL || "3000", 10);

let count = 0;

function ping() {
  count += 1;
  const started = Date.now();
  const req = https.request({ host: target, method, path: "/" }, (res) => {
    const took = Date.now() - started;
    console.log(`#${count} ${method} https://${target} -> ${res.statusCode} in ${took}ms`);
    res.resume();
  });
  req.on("error", (err) => console.log(`#${count} ${target}: ${err.message}`));
  req.end();
}

console.log(`Pinging ${target} with ${method} every ${interval}ms`);
ping();
setInterval(ping, interval);
