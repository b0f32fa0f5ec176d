package leadership

import (
	"slices"

	"github.com/batonhq/baton/transport"
)

// termRecords are the lease records of the terms an election may still
// renew, confirm or release: almost always one, and two only while a
// release of the previous term is in flight. A slice, not a map: an election keeps this
// for as long as it lives, and a map costs a kilobyte or more even when it
// holds one record.
type termRecords []termRecord

// termRecord is the record written for one term.
type termRecord struct {
	term   uint64
	record transport.Record
}

// get returns the record of term (the zero record when it is unknown).
func (rs termRecords) get(term uint64) transport.Record {
	for _, r := range rs {
		if r.term == term {
			return r.record
		}
	}
	return transport.Record{}
}

// put keeps the record of term.
func (rs *termRecords) put(term uint64, rec transport.Record) {
	for i := range *rs {
		if (*rs)[i].term == term {
			(*rs)[i].record = rec
			return
		}
	}
	*rs = append(*rs, termRecord{term: term, record: rec})
}

// keepOnly drops every record but those of terms.
func (rs *termRecords) keepOnly(terms ...uint64) {
	kept := (*rs)[:0]
	for _, r := range *rs {
		if slices.Contains(terms, r.term) {
			kept = append(kept, r)
		}
	}
	clear((*rs)[len(kept):])
	*rs = kept
}
