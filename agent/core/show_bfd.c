// SPDX-License-Identifier: GPL-2.0
/*
 * `xlbctl bfd show`: each BFD session — state and for how long, both
 * sides' discriminators and diagnostics, the negotiated intervals,
 * packets — and the packets discarded by reason, from bfd/bfd.h's
 * accessors.
 */
#include <stdio.h>
#include <string.h>

#include "bfd/bfd.h"
#include "bfd/session.h"
#include "core/show.h"
#include "lib/json.h"

/* microseconds as milliseconds, "300" or "3.3" */
static const char *ms_str(uint64_t us, char *buf, size_t len)
{
	if (us % 1000)
		snprintf(buf, len, "%llu.%03llu", (unsigned long long)us / 1000,
			 (unsigned long long)us % 1000);
	else
		snprintf(buf, len, "%llu", (unsigned long long)us / 1000);
	if (us % 1000) {
		char *e = buf + strlen(buf) - 1;

		while (*e == '0')
			*e-- = '\0';
	}
	return buf;
}

static void show_one(const struct bfd_session *s, struct buf *text, struct json_writer *w)
{
	const struct bfd_sm *sm = bfd_session_sm(s);
	struct bfd_session_stats st;
	struct bfd_session_info in;
	long since;
	char a[24], b2[24], c[24];

	bfd_session_stats(s, &st);
	bfd_session_info(s, &in);
	since = (long)(in.state_ms / 1000);
	if (w) {
		json_object_start(w);
		json_kv_string(w, "peer", in.name);
		if (in.local[0])
			json_kv_string(w, "local", in.local);
		else
			json_kv_null(w, "local");
		json_kv_string(w, "state", bfd_state_name(sm->state));
		json_kv_string(w, "remote_state", bfd_state_name(sm->remote_state));
		json_kv_string(w, "diag", bfd_diag_name(sm->local_diag));
		json_kv_string(w, "remote_diag", bfd_diag_name(sm->remote_diag));
		json_kv_string(w, "last_down_diag",
			       st.downs ? bfd_diag_name(st.last_down_diag) : NULL);
		json_kv_u64(w, "local_discriminator", sm->local_discr);
		json_kv_u64(w, "remote_discriminator", sm->remote_discr);
		json_kv_u64(w, "multiplier", sm->detect_mult);
		json_kv_u64(w, "remote_multiplier", sm->remote_mult);
		json_kv_u64(w, "desired_min_tx_us", sm->desired_tx_us);
		json_kv_u64(w, "required_min_rx_us", sm->required_rx_us);
		json_kv_u64(w, "remote_desired_min_tx_us", sm->remote_tx_us);
		json_kv_u64(w, "remote_required_min_rx_us", sm->remote_min_rx_us);
		json_kv_u64(w, "tx_interval_us", bfd_sm_tx_negotiated_us(sm));
		json_kv_u64(w, "rx_interval_us", bfd_sm_rx_interval_us(sm));
		json_kv_u64(w, "detect_time_us", bfd_sm_detect_us(sm));
		json_kv_bool(w, "poll", sm->poll);
		json_kv_u64(w, "source_port", in.src_port);
		json_kv_u64(w, "packets_in", st.pkts_in);
		json_kv_u64(w, "packets_out", st.pkts_out);
		json_kv_u64(w, "send_errors", st.send_errors);
		json_kv_u64(w, "ups", st.ups);
		json_kv_u64(w, "downs", st.downs);
		json_kv_u64(w, "downs_detected", st.downs_detected);
		json_kv_u64(w, "late_deliveries", st.late_deliveries);
		json_kv_u64(w, "max_rx_gap_us", st.max_rx_gap_us);
		json_kv_u64(w, "max_tx_gap_us", st.max_tx_gap_us);
		json_kv_u64(w, "state_seconds", since);
		json_kv_u64(w, "last_change", in.last_change);
		json_object_end(w);
		return;
	}
	buf_printf(text, "%s%s%s  %s for %ldd %02ld:%02ld:%02ld  remote %s\n", in.name,
		   in.local[0] ? " from " : "", in.local, bfd_state_name(sm->state), since / 86400,
		   since / 3600 % 24, since / 60 % 60, since % 60,
		   bfd_state_name(sm->remote_state));
	buf_printf(text, "    discriminators local %u remote %u; diag %s, remote diag %s\n",
		   sm->local_discr, sm->remote_discr, bfd_diag_name(sm->local_diag),
		   bfd_diag_name(sm->remote_diag));
	buf_printf(text, "    tx %s ms, rx %s ms, detect %s ms, multiplier %u (remote %u)%s\n",
		   ms_str(bfd_sm_tx_negotiated_us(sm), a, sizeof(a)),
		   ms_str(bfd_sm_rx_interval_us(sm), b2, sizeof(b2)),
		   ms_str(bfd_sm_detect_us(sm), c, sizeof(c)), sm->detect_mult, sm->remote_mult,
		   sm->poll ? ", poll pending" : "");
	buf_printf(text, "    packets in %llu, out %llu; up %u times, down %u%s%s\n",
		   (unsigned long long)st.pkts_in, (unsigned long long)st.pkts_out,
		   st.ups, st.downs, st.downs ? "; last down: " : "",
		   st.downs ? bfd_diag_name(st.last_down_diag) : "");
	buf_printf(text, "    longest gap while Up: received %s ms, sent %s ms\n",
		   ms_str(st.max_rx_gap_us, a, sizeof(a)), ms_str(st.max_tx_gap_us, b2, sizeof(b2)));
}

void show_bfd(struct bfd *b, const struct conf_addr *peer, struct buf *text,
	      struct json_writer *w)
{
	const struct bfd_session *s, *only = b && peer ? bfd_session_find(b, peer) : NULL;
	int i;

	if (w) {
		json_object_start(w);
		json_key(w, "sessions");
		json_array_start(w);
	}
	for (s = b ? bfd_session_next(b, NULL) : NULL; s; s = bfd_session_next(b, s)) {
		if (peer && s != only)
			continue;
		show_one(s, text, w);
	}
	if (!w)
		return;
	json_array_end(w);
	json_key(w, "discarded");
	json_object_start(w);
	for (i = 1; i < BFD_PKT_ERR_MAX; i++)
		json_kv_u64(w, bfd_pkt_err_name(i), b ? bfd_discarded(b, i) : 0);
	json_object_end(w);
	json_object_end(w);
}
