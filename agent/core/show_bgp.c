// SPDX-License-Identifier: GPL-2.0
/*
 * `xlbctl bgp show`: each neighbor's session — state and for how long,
 * what was negotiated, prefixes and messages, the last errors both ways,
 * and a hint when the symptoms point at a known cause.
 */
#include <time.h>

#include "bgp/speaker.h"
#include "core/show.h"
#include "lib/json.h"

static const char *peer_hint(const struct bgp_peer *p)
{
	if (p->state == BGP_ESTABLISHED || p->admin_down)
		return NULL;
	if (p->conf->password && p->failures >= 2 && p->state <= BGP_ACTIVE)
		return "no TCP session with a TCP-MD5 key configured: a key mismatch (or a key "
		       "missing on one side) makes the kernel drop the segments silently — check "
		       "the password on both sides";
	return NULL;
}

/* One peer as JSON, or as text (below); since: seconds in its state. */
static void peer_json(const struct bgp_peer *p, long since, struct json_writer *w)
{
	const char *hint = peer_hint(p);
	size_t announced = bgp_peer_announced(p);

	json_object_start(w);
	json_kv_string(w, "neighbor", p->name);
	json_kv_string(w, "description", p->conf->description);
	json_kv_string(w, "state", bgp_state_name(p->state));
	json_kv_bool(w, "admin_down", p->admin_down);
	json_kv_u64(w, "remote_as", p->conf->remote_as);
	json_kv_u64(w, "uptime_seconds", p->state == BGP_ESTABLISHED ? since : 0);
	json_kv_u64(w, "state_seconds", since);
	json_kv_u64(w, "hold_time", p->state >= BGP_OPENCONFIRM ? p->hold_time : 0);
	json_key(w, "capabilities");
	json_object_start(w);
	json_kv_bool(w, "ipv4_unicast", p->state >= BGP_OPENCONFIRM && p->mp_v4);
	json_kv_bool(w, "ipv6_unicast", p->state >= BGP_OPENCONFIRM && p->mp_v6);
	json_kv_bool(w, "as4", p->state >= BGP_OPENCONFIRM && p->as4);
	json_kv_bool(w, "route_refresh",
		     p->state >= BGP_OPENCONFIRM && p->remote.cap_route_refresh);
	json_kv_bool(w, "graceful_restart", p->conf->graceful_restart);
	json_object_end(w);
	json_kv_u64(w, "prefixes_announced", announced);
	json_key(w, "prefixes_not_sent");
	json_object_start(w);
	json_kv_u64(w, "family_not_negotiated", p->state == BGP_ESTABLISHED ? p->unsent_family : 0);
	json_kv_u64(w, "no_next_hop", p->state == BGP_ESTABLISHED ? p->unsent_next_hop : 0);
	json_object_end(w);
	json_kv_u64(w, "prefixes_received", p->prefixes_received);
	json_kv_u64(w, "messages_in", p->msgs_in);
	json_kv_u64(w, "messages_out", p->msgs_out);
	json_kv_u64(w, "established", p->established);
	json_kv_u64(w, "dropped", p->dropped);
	json_key(w, "last_error");
	if (p->has_last_error) {
		json_object_start(w);
		json_kv_u64(w, "code", p->last_error.code);
		json_kv_u64(w, "subcode", p->last_error.subcode);
		json_kv_string(w, "text", p->last_error.text);
		json_object_end(w);
	} else {
		json_null(w);
	}
	json_key(w, "last_notification_received");
	if (p->has_last_notif) {
		json_object_start(w);
		json_kv_u64(w, "code", p->last_notif.code);
		json_kv_u64(w, "subcode", p->last_notif.subcode);
		json_kv_string(w, "name",
			       bgp_err_name(p->last_notif.code, p->last_notif.subcode));
		json_kv_string(w, "text", p->last_notif.text);
		json_object_end(w);
	} else {
		json_null(w);
	}
	if (hint)
		json_kv_string(w, "hint", hint);
	else
		json_kv_null(w, "hint");
	json_object_end(w);
}

static void peer_text(const struct bgp_peer *p, long since, struct buf *text)
{
	const char *hint = peer_hint(p);
	const char *state = p->admin_down ? "Idle (admin)" : bgp_state_name(p->state);
	size_t announced = bgp_peer_announced(p);

	buf_printf(text, "%s%s%s%s  AS %u  %s for %ldd %02ld:%02ld:%02ld\n", p->name,
		   p->conf->description ? " (" : "",
		   p->conf->description ? p->conf->description : "",
		   p->conf->description ? ")" : "", p->conf->remote_as, state, since / 86400,
		   since / 3600 % 24, since / 60 % 60, since % 60);
	if (p->state >= BGP_OPENCONFIRM)
		buf_printf(text, "    hold time %us  capabilities%s%s%s%s\n", p->hold_time,
			   p->mp_v4 ? " ipv4" : "", p->mp_v6 ? " ipv6" : "",
			   p->as4 ? " as4" : "",
			   p->remote.cap_route_refresh ? " route-refresh" : "");
	buf_printf(text, "    prefixes announced %zu, received %llu; messages in %llu, out %llu\n",
		   announced, (unsigned long long)p->prefixes_received,
		   (unsigned long long)p->msgs_in, (unsigned long long)p->msgs_out);
	if (p->state == BGP_ESTABLISHED && p->unsent_family)
		buf_printf(text, "    not sent: %zu VIP%s of a family the neighbor did not negotiate\n",
			   p->unsent_family, p->unsent_family == 1 ? "" : "s");
	if (p->state == BGP_ESTABLISHED && p->unsent_next_hop)
		buf_printf(text, "    not sent: %zu VIP%s without a next hop of %s family on this "
			   "session (set the VIP's next-hop, or encap-source)\n", p->unsent_next_hop,
			   p->unsent_next_hop == 1 ? "" : "s", p->unsent_next_hop == 1 ? "its" : "their");
	buf_printf(text, "    established %llu times, dropped %llu times\n",
		   (unsigned long long)p->established, (unsigned long long)p->dropped);
	if (p->has_last_error)
		buf_printf(text, "    last error: %s%s%s\n",
			   p->last_error.code ?
				   bgp_err_name(p->last_error.code, p->last_error.subcode) :
				   "local",
			   p->last_error.text[0] ? ": " : "", p->last_error.text);
	if (p->has_last_notif)
		buf_printf(text, "    last NOTIFICATION received: %s%s%s\n",
			   bgp_err_name(p->last_notif.code, p->last_notif.subcode),
			   p->last_notif.text[0] ? ": " : "", p->last_notif.text);
	if (hint)
		buf_printf(text, "    hint: %s\n", hint);
}

void show_bgp(struct bgp_speaker *sp, struct buf *text, struct json_writer *w)
{
	struct bgp_peer *const *peers;
	time_t now = time(NULL);
	size_t i, n;

	peers = bgp_speaker_peers(sp, &n);
	if (w)
		json_array_start(w);
	for (i = 0; i < n; i++) {
		long since = (long)(now - peers[i]->state_since);

		if (w)
			peer_json(peers[i], since, w);
		else
			peer_text(peers[i], since, text);
	}
	if (w)
		json_array_end(w);
	else if (!n)
		buf_printf(text, "no BGP neighbors configured\n");
}
