/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one clock xlbd's timeouts and timers are measured on: monotonic
 * (CLOCK_MONOTONIC), so a wall-clock step (NTP, an operator's `date`)
 * never fires or stalls a timer. The event loop reads it once per
 * iteration (evloop_now_ms); code off the loop (the CLI's client) reads
 * it directly.
 */
#ifndef XLB_LIB_CLOCK_H
#define XLB_LIB_CLOCK_H

#include <stdint.h>

/* Monotonic milliseconds since an arbitrary start (boot). */
uint64_t clock_mono_ms(void);
/* The same in microseconds (BFD's timer). */
uint64_t clock_mono_us(void);
/* Wall-clock milliseconds since the epoch: for times that outlive the
 * process (the state file), never for timers. */
uint64_t clock_wall_ms(void);

#endif
