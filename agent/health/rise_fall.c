// SPDX-License-Identifier: GPL-2.0
/*
 * The rise/fall state machine of a health check, pure: no clock, no I/O,
 * so a test can feed it any sequence of results (selftests/agent/
 * test_health_rise_fall.c).
 *
 * A target starts UNKNOWN. It becomes UP after `rise` consecutive
 * successes and DOWN after `fall` consecutive failures, whatever it was
 * before: an UNKNOWN target needs the same evidence as a changing one, so
 * one lucky (or unlucky) first probe decides nothing. A result that
 * agrees with the state only resets the opposite run.
 *
 * While a change is under way — the state is UNKNOWN, or the latest
 * results disagree with it — probes come every fast-interval, so that a
 * verdict takes rise (or fall) fast-intervals rather than intervals.
 */
#include "health/health.h"

/* rise and fall are at most 100: a run never needs to count further, and
 * stopping here keeps it from wrapping on a check that runs for years */
#define HC_RUN_CAP 0xffffu

static void run_inc(uint32_t *run)
{
	if (*run < HC_RUN_CAP)
		(*run)++;
}

bool hc_sm_result(struct hc_sm *sm, const struct conf_health *cfg, bool ok)
{
	uint32_t rise = cfg->rise ? cfg->rise : 1, fall = cfg->fall ? cfg->fall : 1;

	if (ok) {
		run_inc(&sm->ok_run);
		sm->fail_run = 0;
		if (sm->state != HC_UP && sm->ok_run >= rise) {
			sm->state = HC_UP;
			return true;
		}
	} else {
		run_inc(&sm->fail_run);
		sm->ok_run = 0;
		if (sm->state != HC_DOWN && sm->fail_run >= fall) {
			sm->state = HC_DOWN;
			return true;
		}
	}
	return false;
}

bool hc_sm_down(struct hc_sm *sm, const struct conf_health *cfg)
{
	uint32_t fall = cfg->fall ? cfg->fall : 1;

	sm->ok_run = 0;
	if (sm->fail_run < fall)
		sm->fail_run = fall;
	if (sm->state == HC_DOWN)
		return false;
	sm->state = HC_DOWN;
	return true;
}

uint32_t hc_sm_next_ms(const struct hc_sm *sm, const struct conf_health *cfg)
{
	bool changing;

	switch (sm->state) {
	case HC_UP:
		changing = sm->fail_run > 0;
		break;
	case HC_DOWN:
		changing = sm->ok_run > 0;
		break;
	default:
		changing = true;
		break;
	}
	if (changing && cfg->fast_interval_ms && cfg->fast_interval_ms < cfg->interval_ms)
		return cfg->fast_interval_ms;
	return cfg->interval_ms;
}
