/* SPDX-License-Identifier: GPL-2.0 */
/*
 * BFD's periodic transmission, in a thread of its own at real-time
 * priority (SCHED_FIFO 1, where the host allows it): the one part of BFD
 * whose lateness the peer sees, kept off the event loop and ahead of the
 * host's ordinary work, so neither a long callback of xlbd's nor a CPU
 * busy with the service xlbd announces delays it. Measured on 2 busy
 * CPUs (e2e/bfd_soak): on the loop at normal priority the packets of a
 * 20 ms session came up to 67 ms apart (the peer, detecting in 60 ms,
 * flapped); from this thread, 23 ms at most.
 *
 * The event loop keeps everything else (state machine, receive,
 * Detection Time, packets sent at once on state changes and Finals): it
 * hands each session's periodic packet and interval to its slot here, and
 * the thread sends it every interval, jittered (RFC 5880 sec 6.8.7). The
 * loop also beats a heartbeat; if it misses BFD_TX_STALL_MS the thread
 * stops sending, so a hung xlbd is seen as down by its peers (after that
 * long plus their Detection Time) rather than kept up by a thread that
 * no longer knows anything.
 *
 * The thread needs no capability (it sends on sockets the loop opened):
 * it sets its priority and then drops every capability of its own, so a
 * thread started before xlbd drops its privileges keeps none either. With
 * neither CAP_SYS_NICE nor RLIMIT_RTPRIO >= 1 (systemd: LimitRTPRIO=) it
 * runs at normal priority, which is logged once.
 */
#ifndef XLB_BFD_TX_H
#define XLB_BFD_TX_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "bfd/packet.h"

#define BFD_TX_PRIO	1	/* SCHED_FIFO priority: above every ordinary task, below
				 * the kernel's own real-time threads */
#define BFD_TX_STALL_MS	2000	/* the loop's heartbeat older than this: stop sending */

struct bfd_tx;
struct bfd_tx_slot;

/* Starts the thread. -errno (pthread_create's, or -ENOMEM). */
int bfd_tx_new(struct bfd_tx **out);
/* Stops and joins the thread; frees every slot left. */
void bfd_tx_free(struct bfd_tx *tx);

/* A session's slot: sends on fd to dst. No packet until bfd_tx_set(). */
struct bfd_tx_slot *bfd_tx_slot_new(struct bfd_tx *tx, int fd, const struct sockaddr_storage *dst,
				    socklen_t dst_len);
void bfd_tx_slot_free(struct bfd_tx *tx, struct bfd_tx_slot *sl);

/*
 * The periodic packet (BFD_PKT_LEN bytes, encoded) and its interval
 * before jitter (0: none for now); mult1: Detect Mult is 1 (jitter
 * 75-90 %); up: the session is Up (only then do the gaps count in
 * max_gap_us). sent_now: the loop has just sent a packet itself (a state
 * change), so the next is due an interval from now; otherwise the
 * schedule stays, brought forward if a shorter interval is due sooner.
 */
void bfd_tx_set(struct bfd_tx *tx, struct bfd_tx_slot *sl, const __u8 *pkt, uint32_t interval_us,
		bool mult1, bool up, bool sent_now);

/* The loop runs: call it at least every BFD_TX_STALL_MS / 4. */
void bfd_tx_heartbeat(struct bfd_tx *tx);

struct bfd_tx_stats {
	uint64_t pkts_out;
	uint64_t send_errors;
	uint64_t held;			/* not sent: the loop's heartbeat was stale */
	uint64_t max_gap_us;		/* longest wait between two packets, Up, at one interval */
};
void bfd_tx_slot_stats(struct bfd_tx *tx, const struct bfd_tx_slot *sl, struct bfd_tx_stats *st);
/* 1 when the thread runs at real-time priority, 0 if not, -1 before it knows */
int bfd_tx_realtime(struct bfd_tx *tx);

#endif
