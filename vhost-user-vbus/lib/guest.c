// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Guest memory: every address the driver gives goes through the memory
 * table the front-end sent, piece by piece; an address outside it, or a
 * range that wraps, is refused, never dereferenced.
 */
#include <string.h>
#include "internal.h"

/* The host address of [addr, addr + len) if it is mapped in one piece. */
void *vbus_guest_map(struct vbus_dev *dev, uint64_t addr, uint64_t len)
{
	uint64_t plen = len;
	void *p;

	if (!len || addr + len < addr)
		return NULL;
	p = vu_gpa_to_va(vbus_vu(dev), &plen, addr);
	return p && plen == len ? p : NULL;
}

/* Copies to or from (or only checks) each mapped piece; false at a hole. */
static bool vbus_guest_walk(struct vbus_dev *dev, uint64_t addr,
			    uint64_t len, uint8_t *buf, bool write)
{
	if (addr + len < addr)
		return false;
	while (len) {
		uint64_t plen = len;
		uint8_t *p = vu_gpa_to_va(vbus_vu(dev), &plen, addr);

		if (!p || !plen)
			return false;
		if (buf && write)
			memcpy(p, buf, plen);
		else if (buf)
			memcpy(buf, p, plen);
		if (buf)
			buf += plen;
		addr += plen;
		len -= plen;
	}
	return true;
}

bool vbus_guest_valid(struct vbus_dev *dev, uint64_t addr, uint64_t len)
{
	return vbus_guest_walk(dev, addr, len, NULL, false);
}

bool vbus_guest_read(struct vbus_dev *dev, uint64_t addr, void *buf,
		     uint64_t len)
{
	/* Checked whole first: a failed read leaves @buf as it was. */
	return vbus_guest_valid(dev, addr, len) &&
	       vbus_guest_walk(dev, addr, len, buf, false);
}

bool vbus_guest_write(struct vbus_dev *dev, uint64_t addr, const void *buf,
		      uint64_t len)
{
	/* Checked whole first: nothing is written unless all of it can be. */
	return vbus_guest_valid(dev, addr, len) &&
	       vbus_guest_walk(dev, addr, len, (uint8_t *)buf, true);
}

/* The guest address of @hva, mapped from one region of the table. */
bool vbus_guest_addr(struct vbus_dev *dev, const void *hva, uint64_t len,
		     uint64_t *addr)
{
	VuDev *vu = vbus_vu(dev);
	uintptr_t p = (uintptr_t)hva;
	unsigned int i;

	for (i = 0; i < vu->nregions; i++) {
		const VuDevRegion *r = &vu->regions[i];
		uintptr_t base = r->mmap_addr + r->mmap_offset;

		if (p >= base && p - base < r->size &&
		    len <= r->size - (p - base)) {
			*addr = r->gpa + (p - base);
			return true;
		}
	}
	return false;
}

/* Writes @len bytes of @buf (NULL: zeros) at guest address @addr. */
static bool vbus_guest_fill(struct vbus_dev *dev, uint64_t addr,
			    const uint8_t *buf, uint64_t len)
{
	static const uint8_t zeros[4096];

	if (buf)
		return vbus_guest_write(dev, addr, buf, len);
	while (len) {
		uint64_t chunk = MIN(len, sizeof(zeros));

		if (!vbus_guest_write(dev, addr, zeros, chunk))
			return false;
		addr += chunk;
		len -= chunk;
	}
	return true;
}

/*
 * Copies @len bytes of @buf (NULL: zeros) into the pieces from byte @off
 * on, each through the memory table as it is now; false at a hole or if
 * the pieces end first.
 */
bool vbus_guest_pieces_write(struct vbus_dev *dev,
			     const struct vbus_guest_piece *pc, unsigned int n,
			     uint64_t off, const void *buf, uint64_t len)
{
	const uint8_t *b = buf;

	for (; n && len; pc++, n--) {
		uint64_t chunk;

		if (off >= pc->len) {
			off -= pc->len;
			continue;
		}
		chunk = MIN(pc->len - off, len);
		if (!vbus_guest_fill(dev, pc->addr + off, b, chunk))
			return false;
		if (b)
			b += chunk;
		len -= chunk;
		off = 0;
	}
	return !len;
}

size_t iov_size(const struct iovec *iov, unsigned int n)
{
	size_t len = 0;

	while (n--)
		len += iov++->iov_len;
	return len;
}

/* Copies between @buf and the bytes of @iov from @off on; @buf NULL: 0s. */
static size_t iov_copy(const struct iovec *iov, unsigned int n, size_t off,
		       uint8_t *buf, size_t len, bool to_iov)
{
	size_t done = 0;

	for (; n && done < len; iov++, n--) {
		size_t chunk;

		if (off >= iov->iov_len) {
			off -= iov->iov_len;
			continue;
		}
		chunk = MIN(iov->iov_len - off, len - done);
		if (to_iov && buf)
			memcpy((uint8_t *)iov->iov_base + off, buf + done, chunk);
		else if (to_iov)
			memset((uint8_t *)iov->iov_base + off, 0, chunk);
		else
			memcpy(buf + done, (uint8_t *)iov->iov_base + off, chunk);
		done += chunk;
		off = 0;
	}
	return done;
}

size_t iov_from_buf(const struct iovec *iov, unsigned int n, size_t off,
		    const void *buf, size_t len)
{
	return iov_copy(iov, n, off, (uint8_t *)buf, len, true);
}

size_t iov_to_buf(const struct iovec *iov, unsigned int n, size_t off,
		  void *buf, size_t len)
{
	return iov_copy(iov, n, off, buf, len, false);
}
