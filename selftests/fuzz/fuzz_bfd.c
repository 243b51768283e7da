// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for BFD (agent/bfd/packet.c, session.c).
 *
 * Each input is read two ways:
 *   - as one UDP payload, the way xlbd receives a packet: whatever the
 *     decoder accepts must satisfy the checks of RFC 5880 sec 6.8.6, be
 *     encodable again (with Length 24) and decode back to the same fields;
 *     whatever it refuses must name a decoder reason;
 *   - as a script for one session's state machine: records of a
 *     selector byte and its data drive packets (decoded from the input),
 *     Detection Time expiries, timer changes and administrative control.
 *     After every event the state, the intervals and the packet the
 *     session would send must be sane: a state and diag in range, never
 *     P with F, an encodable packet, at least 1 s advertised while not Up,
 *     the transmit interval never below what we asked for.
 * A failed check aborts (libFuzzer keeps the input); so do the sanitizers.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bfd/packet.h"
#include "bfd/session.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);  \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static void fuzz_decode(const uint8_t *data, size_t len)
{
	struct bfd_pkt p, q;
	enum bfd_pkt_err why;
	uint8_t b[BFD_PKT_LEN];

	if (bfd_pkt_decode(data, len, &p, &why)) {
		CHECK(why > BFD_PKT_OK && why < BFD_PKT_TTL);
		return;
	}
	CHECK(why == BFD_PKT_OK);
	CHECK(p.version == BFD_VERSION);
	CHECK(p.length >= BFD_PKT_LEN && p.length <= len);
	CHECK(p.detect_mult && !p.multipoint && p.my_discr && !p.auth);
	CHECK(!(p.poll && p.final));
	CHECK(p.your_discr || p.state == BFD_STATE_DOWN || p.state == BFD_STATE_ADMIN_DOWN);
	CHECK(p.state <= BFD_STATE_UP && p.diag <= BFD_DIAG_MAX);
	CHECK(bfd_pkt_encode(&p, b, sizeof(b)) == 0);
	CHECK(bfd_pkt_decode(b, sizeof(b), &q, &why) == 0);
	CHECK(q.length == BFD_PKT_LEN);
	q.length = p.length;
	CHECK(q.diag == p.diag && q.state == p.state && q.poll == p.poll && q.final == p.final &&
	      q.cpi == p.cpi && q.demand == p.demand && q.detect_mult == p.detect_mult &&
	      q.my_discr == p.my_discr && q.your_discr == p.your_discr &&
	      q.desired_min_tx_us == p.desired_min_tx_us &&
	      q.required_min_rx_us == p.required_min_rx_us &&
	      q.required_min_echo_rx_us == p.required_min_echo_rx_us);
}

static void check_sm(const struct bfd_sm *sm)
{
	struct bfd_pkt p;
	uint8_t b[BFD_PKT_LEN];
	int final;

	CHECK(sm->state <= BFD_STATE_UP && sm->remote_state <= BFD_STATE_UP);
	CHECK(sm->local_diag <= BFD_DIAG_MAX);
	CHECK(sm->local_discr);
	if (sm->state != BFD_STATE_UP)
		CHECK(sm->desired_tx_us >= BFD_SLOW_TX_US);
	if (bfd_sm_tx_interval_us(sm))
		CHECK(bfd_sm_tx_interval_us(sm) >= sm->tx_used_us);
	CHECK(bfd_sm_detect_us(sm) <= 255ull * UINT32_MAX);
	for (final = 0; final < 2; final++) {
		bfd_sm_packet(sm, final, &p);
		CHECK(!(p.poll && p.final));
		CHECK(bfd_pkt_encode(&p, b, sizeof(b)) == 0);
	}
	CHECK(bfd_sm_jitter_us(sm, 1000, sm->remote_tx_us) <= 1000);
	CHECK(bfd_sm_jitter_us(sm, 1000, sm->remote_tx_us) >= 750);
}

/* records: selector byte, then for a packet a length byte and the bytes */
static void fuzz_session(const uint8_t *data, size_t len)
{
	struct bfd_sm sm;
	size_t i = 0;

	bfd_sm_init(&sm, 0x1234, 300000, 300000, 3);
	check_sm(&sm);
	while (i < len) {
		uint8_t sel = data[i++];
		enum bfd_state old = sm.state;
		unsigned int a = 0;

		switch (sel % 5) {
		case 0: {	/* a packet */
			struct bfd_pkt p;
			enum bfd_pkt_err why;
			size_t n;

			if (i >= len)
				return;
			n = data[i++] % 40;
			if (n > len - i)
				n = len - i;
			if (!bfd_pkt_decode(data + i, n, &p, &why))
				a = bfd_sm_rx(&sm, &p);
			i += n;
			break;
		}
		case 1:
			a = bfd_sm_expired(&sm);
			break;
		case 2: {	/* new intervals: 10 ms..65 s, mult 1..255 */
			uint32_t tx, rx;
			uint8_t mult;

			if (len - i < 5)
				return;
			tx = 10000 + (uint32_t)(data[i] << 8 | data[i + 1]) * 1000;
			rx = 10000 + (uint32_t)(data[i + 2] << 8 | data[i + 3]) * 1000;
			mult = data[i + 4] ? data[i + 4] : 1;
			i += 5;
			a = bfd_sm_set_params(&sm, tx, rx, mult);
			CHECK(sm.detect_mult == mult);
			break;
		}
		case 3:
			a = bfd_sm_admin(&sm, true, BFD_DIAG_ADMIN_DOWN);
			break;
		case 4:
			a = bfd_sm_admin(&sm, false, BFD_DIAG_NONE);
			break;
		}
		CHECK(!!(a & BFD_SM_STATE) == (old != sm.state));
		if (a & BFD_SM_CLIENT_DOWN)
			CHECK(old == BFD_STATE_UP && sm.state == BFD_STATE_DOWN);
		check_sm(&sm);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	fuzz_decode(data, len);
	fuzz_session(data, len);
	return 0;
}
