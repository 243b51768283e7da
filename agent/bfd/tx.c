// SPDX-License-Identifier: GPL-2.0
/*
 * BFD's periodic transmitter thread (see tx.h). One mutex guards the
 * slots; the thread holds it while it sends (a non-blocking sendto of 24
 * bytes per due session) and sleeps on a condition variable on the
 * monotonic clock until the earliest due time, or until the loop changes
 * a slot.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cap-ng.h>
#include <sys/random.h>
#include <sys/resource.h>

#include "bfd/session.h"
#include "bfd/tx.h"
#include "lib/clock.h"
#include "lib/log.h"

#define TX_MIN_US	1000	/* never two periodic packets closer than this */

struct bfd_tx_slot {
	struct bfd_tx_slot *next;
	int fd;
	struct sockaddr_storage dst;
	socklen_t dst_len;
	__u8 pkt[BFD_PKT_LEN];
	uint32_t interval_us;		/* 0: nothing to send */
	bool mult1;
	bool up;			/* the session is Up: gaps count */
	uint64_t due_us;		/* next packet, monotonic */
	uint64_t last_us;		/* the last one the thread sent */
	uint32_t last_iv_us;		/* its interval, 0 if not sent while Up */
	struct bfd_tx_stats st;
};

struct bfd_tx {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
	struct bfd_tx_slot *slots;
	uint64_t rnd;			/* xorshift64*, the thread's and set()'s (under mu) */
	_Atomic uint64_t heartbeat_us;	/* the loop's last beat */
	_Atomic int realtime;		/* -1 until the thread knows */
};

static uint32_t rnd32(struct bfd_tx *tx)
{
	tx->rnd ^= tx->rnd >> 12;
	tx->rnd ^= tx->rnd << 25;
	tx->rnd ^= tx->rnd >> 27;
	return (tx->rnd * 0x2545f4914f6cdd1dULL) >> 32;
}

static uint64_t next_delay_us(struct bfd_tx *tx, const struct bfd_tx_slot *sl)
{
	uint32_t iv = bfd_jitter_us(sl->interval_us, sl->mult1, rnd32(tx));

	return iv < TX_MIN_US ? TX_MIN_US : iv;
}

/* Real-time priority if the host lets us, then no capability at all. */
static void thread_setup(struct bfd_tx *tx)
{
	struct sched_param sp = { .sched_priority = BFD_TX_PRIO };
	int err = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);

	/* `ps -L`, top: which thread this is */
	pthread_setname_np(pthread_self(), "xlbd-bfd");
	atomic_store(&tx->realtime, !err);
	if (err)
		log_warnx("bfd: sending at normal priority: real-time priority %d refused (%s; "
			  "needs CAP_SYS_NICE or RLIMIT_RTPRIO >= %d, and a cgroup with "
			  "real-time time, cpu.rt_runtime_us > 0): a busy CPU can delay "
			  "packets",
			  BFD_TX_PRIO, strerror(err), BFD_TX_PRIO);
	/* capabilities are per thread: this one needs none */
	capng_setpid(gettid());
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_apply(CAPNG_SELECT_BOTH))
		log_warnx("bfd: the sending thread could not drop its capabilities");
}

static void send_due(struct bfd_tx *tx, uint64_t now, bool alive)
{
	struct bfd_tx_slot *sl;

	for (sl = tx->slots; sl; sl = sl->next) {
		if (!sl->interval_us || sl->due_us > now)
			continue;
		if (!alive) {
			sl->st.held++;
		} else if (sendto(sl->fd, sl->pkt, sizeof(sl->pkt), MSG_DONTWAIT,
				  (struct sockaddr *)&sl->dst, sl->dst_len) < 0) {
			sl->st.send_errors++;
		} else {
			sl->st.pkts_out++;
			if (sl->up && sl->last_us && sl->last_iv_us == sl->interval_us &&
			    now - sl->last_us > sl->st.max_gap_us)
				sl->st.max_gap_us = now - sl->last_us;
			sl->last_us = now;
			sl->last_iv_us = sl->up ? sl->interval_us : 0;
		}
		sl->due_us = now + next_delay_us(tx, sl);
	}
}

static void *thread_main(void *arg)
{
	struct bfd_tx *tx = arg;

	thread_setup(tx);
	pthread_mutex_lock(&tx->mu);
	while (!tx->stop) {
		uint64_t now = clock_mono_us(), next = 0;
		bool alive = now - atomic_load(&tx->heartbeat_us) <= BFD_TX_STALL_MS * 1000ULL;
		struct bfd_tx_slot *sl;
		struct timespec ts;

		send_due(tx, now, alive);
		for (sl = tx->slots; sl; sl = sl->next)
			if (sl->interval_us && (!next || sl->due_us < next))
				next = sl->due_us;
		if (!next) {
			pthread_cond_wait(&tx->cv, &tx->mu);
			continue;
		}
		ts.tv_sec = next / 1000000;
		ts.tv_nsec = (next % 1000000) * 1000;
		pthread_cond_timedwait(&tx->cv, &tx->mu, &ts);
	}
	pthread_mutex_unlock(&tx->mu);
	return NULL;
}

int bfd_tx_new(struct bfd_tx **out)
{
	struct bfd_tx *tx = calloc(1, sizeof(*tx));
	pthread_condattr_t ca;
	int err;

	if (!tx)
		return -ENOMEM;
	if (getrandom(&tx->rnd, sizeof(tx->rnd), 0) != sizeof(tx->rnd))
		tx->rnd = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;
	tx->rnd |= 1;
	atomic_store(&tx->heartbeat_us, clock_mono_us());
	atomic_store(&tx->realtime, -1);
	pthread_mutex_init(&tx->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&tx->cv, &ca);
	pthread_condattr_destroy(&ca);
	err = pthread_create(&tx->thread, NULL, thread_main, tx);
	if (err) {
		pthread_cond_destroy(&tx->cv);
		pthread_mutex_destroy(&tx->mu);
		free(tx);
		return -err;
	}
	*out = tx;
	return 0;
}

void bfd_tx_free(struct bfd_tx *tx)
{
	if (!tx)
		return;
	pthread_mutex_lock(&tx->mu);
	tx->stop = true;
	pthread_cond_signal(&tx->cv);
	pthread_mutex_unlock(&tx->mu);
	pthread_join(tx->thread, NULL);
	while (tx->slots) {
		struct bfd_tx_slot *sl = tx->slots;

		tx->slots = sl->next;
		free(sl);
	}
	pthread_cond_destroy(&tx->cv);
	pthread_mutex_destroy(&tx->mu);
	free(tx);
}

struct bfd_tx_slot *bfd_tx_slot_new(struct bfd_tx *tx, int fd, const struct sockaddr_storage *dst,
				    socklen_t dst_len)
{
	struct bfd_tx_slot *sl = calloc(1, sizeof(*sl));

	if (!sl)
		return NULL;
	sl->fd = fd;
	sl->dst = *dst;
	sl->dst_len = dst_len;
	pthread_mutex_lock(&tx->mu);
	sl->next = tx->slots;
	tx->slots = sl;
	pthread_mutex_unlock(&tx->mu);
	return sl;
}

void bfd_tx_slot_free(struct bfd_tx *tx, struct bfd_tx_slot *sl)
{
	struct bfd_tx_slot **pp;

	if (!sl)
		return;
	pthread_mutex_lock(&tx->mu);
	for (pp = &tx->slots; *pp; pp = &(*pp)->next) {
		if (*pp == sl) {
			*pp = sl->next;
			break;
		}
	}
	pthread_mutex_unlock(&tx->mu);
	free(sl);
}

void bfd_tx_set(struct bfd_tx *tx, struct bfd_tx_slot *sl, const __u8 *pkt, uint32_t interval_us,
		bool mult1, bool up, bool sent_now)
{
	uint64_t now = clock_mono_us(), due;
	uint32_t old;

	pthread_mutex_lock(&tx->mu);
	memcpy(sl->pkt, pkt, sizeof(sl->pkt));
	sl->mult1 = mult1;
	if (up != sl->up)
		sl->last_iv_us = 0;	/* no gap across a state change */
	sl->up = up;
	old = sl->interval_us;
	sl->interval_us = interval_us;
	if (sent_now)
		sl->last_us = now;	/* the gap starts from the loop's packet */
	if (interval_us && (sent_now || !old || interval_us < old)) {
		/* a new schedule, or a faster one that may be due sooner
		 * (a slower one applies from the next packet on) */
		due = now + next_delay_us(tx, sl);
		if (sent_now || !old || due < sl->due_us) {
			sl->due_us = due;
			pthread_cond_signal(&tx->cv);
		}
	}
	pthread_mutex_unlock(&tx->mu);
}

void bfd_tx_heartbeat(struct bfd_tx *tx)
{
	atomic_store(&tx->heartbeat_us, clock_mono_us());
}

void bfd_tx_slot_stats(struct bfd_tx *tx, const struct bfd_tx_slot *sl, struct bfd_tx_stats *st)
{
	pthread_mutex_lock(&tx->mu);
	*st = sl->st;
	pthread_mutex_unlock(&tx->mu);
}

int bfd_tx_realtime(struct bfd_tx *tx)
{
	return atomic_load(&tx->realtime);
}
