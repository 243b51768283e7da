// SPDX-License-Identifier: GPL-2.0
/*
 * Passes over the flow table, a slice per loop turn (see flow_scan.h).
 *
 * A slice is FLOW_SCAN_SLICE entries (~1 ms: ~0.4 us an entry in batched
 * reads), run as the loop's end-of-turn work; then the pass yields to
 * everything else the loop has ready and goes on in the next turn. Counts are by backend id, checked against the
 * id's generation when the pass began, so a reload or a change during the
 * pass (which may free and rebuild the model) cannot leave the pass
 * pointing at freed backends: the renderer matches counts to the model
 * of the moment the answer is written.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/flow_scan.h"
#include "core/xlbd.h"
#include "lib/evloop.h"
#include "lib/log.h"
#include "maps/dataplane.h"
#include "maps/flows.h"

#define FLOW_SCAN_SLICE	2048	/* entries read per loop turn and pass */
#define FLOW_SCANS_MAX	8	/* passes at once; more are refused (-EBUSY) */

struct flow_scan_job {
	struct flow_scan s;
	struct xlbd *d;
	struct xlb_dp_flow_walk *walk;
	struct ev_defer step;	/* end-of-turn work: one slice */
	flow_scan_done_fn done;
	void *arg;
	struct flow_scan_job *next;
};

static struct flow_scan_job *jobs;
static unsigned n_jobs;

__u32 flow_scan_count(const struct flow_scan *s, const struct rt_backend *b)
{
	if (!b->id || b->id >= XLB_MAX_BACKENDS || s->gen[b->id] != b->gen)
		return 0;
	return s->count[b->id];
}

static int keep(struct flow_scan *s, const struct xlb_dp_flow *f)
{
	struct xlb_dp_flow *e;

	if (s->want.vip >= 0 && f->vip_id != s->want.vip)
		return 0;
	if (s->want.be && f->backend_id != s->want.be)
		return 0;
	s->matched++;
	if (s->want.limit && s->n_entries >= s->want.limit)
		return 0;
	if (s->n_entries == s->cap_entries) {
		size_t cap = s->cap_entries ? 2 * s->cap_entries : 256;

		e = realloc(s->entries, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		s->entries = e;
		s->cap_entries = cap;
	}
	s->entries[s->n_entries++] = *f;
	return 0;
}

static int one(const struct xlb_dp_flow *f, void *arg)
{
	struct flow_scan *s = arg;

	if (f->backend_id && f->backend_id < XLB_MAX_BACKENDS &&
	    s->gen[f->backend_id] == f->backend_gen)
		s->count[f->backend_id]++;
	return s->list ? keep(s, f) : 0;
}

static void job_unlink(struct flow_scan_job *j)
{
	struct flow_scan_job **pp;

	for (pp = &jobs; *pp; pp = &(*pp)->next) {
		if (*pp == j) {
			*pp = j->next;
			n_jobs--;
			return;
		}
	}
}

static void job_end(struct flow_scan_job *j, int err)
{
	evloop_defer_cancel(j->d->el, &j->step);
	job_unlink(j);
	j->done(j->d, &j->s, err, j->arg);
	xlb_dp_flow_walk_free(j->walk);
	free(j->s.entries);
	free(j);
}

static void job_step(struct evloop *el, void *arg)
{
	struct flow_scan_job *j = arg;
	int rc;

	rc = xlb_dp_flow_walk_step(j->walk, FLOW_SCAN_SLICE, one, &j->s);
	if (rc == 0) {
		/* asked again from its own callback: the next turn, after
		 * whatever that turn finds ready */
		evloop_defer(el, &j->step, job_step, j);
		return;
	}
	if (rc < 0)
		log_warnx("reading the flow table: %s", strerror(-rc));
	job_end(j, rc < 0 ? rc : 0);
}

int flow_scan_start(struct xlbd *d, const struct flow_scan_list *list, flow_scan_done_fn done,
		    void *arg)
{
	struct flow_scan_job *j;
	size_t i, k;
	int err;

	if (!d->dp)
		return -ENODEV;
	if (n_jobs >= FLOW_SCANS_MAX)
		return -EBUSY;
	j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	err = xlb_dp_flow_walk_new(xlb_dp_flows_fd(d->dp), &j->walk);
	if (err) {
		free(j);
		return err;
	}
	for (i = 0; i < d->n_vips; i++) {
		const struct rt_vip *v = &d->vips[i];

		for (k = 0; k < v->n_backends; k++)
			if (v->backends[k].id && v->backends[k].id < XLB_MAX_BACKENDS)
				j->s.gen[v->backends[k].id] = v->backends[k].gen;
	}
	if (list) {
		j->s.list = true;
		j->s.want = *list;
	}
	j->d = d;
	j->done = done;
	j->arg = arg;
	j->next = jobs;
	jobs = j;
	n_jobs++;
	/* the first slice at the end of this turn, one more each turn */
	evloop_defer(d->el, &j->step, job_step, j);
	return 0;
}

void flow_scan_cancel_all(struct xlbd *d)
{
	struct flow_scan_job *j, *next;

	for (j = jobs; j; j = next) {
		next = j->next;
		if (j->d == d)
			job_end(j, -ECANCELED);
	}
}
