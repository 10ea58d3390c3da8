"""The browser client (web/hub-client.js) and `rate_limited`: the hub drops a message over the connection's
rate without acting on it and names its id (docs/PROTOCOL.md); the client must send it again, not report it
as refused. 150 inputs at once from a real page: every one ends acknowledged, none refused `rate_limited`.
"""

SEND_150 = """
const [code, done] = [arguments[0], arguments[arguments.length - 1]];
import('/web/hub-client.js').then(async ({ HubClient }) => {
  const c = new HubClient({ code, profile: { name: 'Snelle Sanne' } });
  const welcomed = new Promise((resolve) => c.addEventListener('change', (e) => { if (e.detail.what === 'welcome') resolve(); }));
  c.start();
  await welcomed;
  const activity = c.state.current.activity;
  const sent = Array.from({ length: 150 }, (_, i) => c.input(activity, 'pick', { option: i % 3 }));
  const settled = await Promise.allSettled(sent);
  c.stop();
  done(settled.map((r) => (r.status === 'fulfilled' ? 'ack' : (r.reason && r.reason.code) || String(r.reason))));
}).catch((e) => done(['script failed: ' + e]));
"""


def test_inputs_over_the_rate_are_sent_again_and_all_acknowledged(web_hub, session, browsers):
    web_hub.command(session["code"], "start")
    web_hub.command(session["code"], "next")
    d = browsers()
    d.get("%s/s/%s" % (web_hub.url, session["code"]))
    d.set_script_timeout(90)
    outcomes = d.execute_async_script(SEND_150, session["code"])
    assert len(outcomes) == 150, outcomes[:3]
    assert "rate_limited" not in outcomes, "refused as rate_limited: %d of 150" % outcomes.count("rate_limited")
    assert set(outcomes) <= {"ack", "rejected"}, sorted(set(outcomes))
    assert outcomes.count("ack") >= 1
