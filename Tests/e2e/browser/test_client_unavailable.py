"""The browser client (web/hub-client.js) and `unavailable`: while the hub's event log cannot store (here:
another process holds the SQLite write lock, or on PostgreSQL a lock on the events table), the hub refuses new inputs with `unavailable` without logging
them (docs/PROTOCOL.md "Order and durability"). The client must send them again later, not report them as
refused: every input a page sends during the outage ends acknowledged once the lock is gone.
"""
import threading

from hubprocess import WriteLock

LOCK_SECONDS = 5

JOIN = """
const [code, done] = [arguments[0], arguments[arguments.length - 1]];
import('/web/hub-client.js').then(async ({ HubClient }) => {
  const c = new HubClient({ code, profile: { name: 'Geduldige Gijs' } });
  const welcomed = new Promise((resolve) => c.addEventListener('change', (e) => { if (e.detail.what === 'welcome') resolve(); }));
  c.start();
  await welcomed;
  window.__client = c;
  done('joined');
}).catch((e) => done('script failed: ' + e));
"""

# Joined before the lock (a first join is an event too, and would wait for it).
SEND_SPACED = """
const done = arguments[arguments.length - 1];
(async () => {
  const c = window.__client;
  const activity = c.state.current.activity;
  const sent = [];
  for (let i = 0; i < 12; i++) {
    sent.push(c.input(activity, 'pick', { option: i % 3 }));
    await new Promise((r) => setTimeout(r, 400));
  }
  const settled = await Promise.allSettled(sent);
  c.stop();
  done(settled.map((r) => (r.status === 'fulfilled' ? 'ack' : (r.reason && r.reason.code) || String(r.reason))));
})().catch((e) => done(['script failed: ' + e]));
"""


def test_inputs_refused_unavailable_are_sent_again_and_all_acknowledged(web_hub, session, browsers):
    web_hub.command(session["code"], "start")
    web_hub.command(session["code"], "next")
    d = browsers()
    d.get("%s/s/%s" % (web_hub.url, session["code"]))
    d.set_script_timeout(90)
    assert d.execute_async_script(JOIN, session["code"]) == "joined"
    holder = WriteLock(web_hub)  # SQLite's lock on the file, or a lock on PostgreSQL's events table
    holder.take()
    release = threading.Timer(LOCK_SECONDS, holder.release)
    release.start()
    try:
        outcomes = d.execute_async_script(SEND_SPACED)
    finally:
        release.join()
        holder.close()
    assert len(outcomes) == 12, outcomes[:3]
    assert "unavailable" not in outcomes, "refused as unavailable: %d of 12" % outcomes.count("unavailable")
    assert set(outcomes) <= {"ack", "rejected"}, sorted(set(outcomes))
    assert outcomes.count("ack") >= 1
