/* SPDX-License-Identifier: GPL-2.0 */
#ifndef EB_REPORT_H
#define EB_REPORT_H

#include <linux/types.h>

#include <linux/ebroker_sgx.h>

struct eb_encl;

int eb_ereport(struct eb_encl *encl, const struct eb_targetinfo *ti,
	       const u8 reportdata[EB_REPORTDATA_SIZE],
	       struct eb_report *report);
int eb_egetkey(struct eb_encl *encl, const struct eb_keyrequest *req,
	       u8 key[EB_KEY_SIZE]);

#endif /* EB_REPORT_H */
