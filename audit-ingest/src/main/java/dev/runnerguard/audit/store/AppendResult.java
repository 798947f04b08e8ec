package dev.runnerguard.audit.store;

import java.util.List;

/** What one append did: rows stored (with their class uids) and duplicates skipped. */
public record AppendResult(List<Integer> storedClassUids, int duplicates, long headSeq) {}
