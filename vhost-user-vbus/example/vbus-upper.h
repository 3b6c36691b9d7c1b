/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vbus-upper's ABI, version 1: what its guest drivers include. */
#ifndef VBUS_UPPER_H
#define VBUS_UPPER_H

#define VBUS_UPPER_FUNC	1	/* in = out in upper case */

#endif
