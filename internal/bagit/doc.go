// Package bagit writes and checks BagIt bags (RFC 8493): a folder whose
// payload is under data/, with bagit.txt, bag-info.txt, a payload manifest
// listing the SHA-256 of every payload file, and a tag manifest listing
// the SHA-256 of the other files beside it.
//
// Writer makes a bag while its payload is written: each file is hashed as
// it is written and its manifest line appended to the manifest file at
// once, so making a bag of millions of files needs memory for one file's
// buffer, not for the list. Finish writes the tag files, bagit.txt last:
// a folder without bagit.txt is not a bag, so a bag interrupted while
// being made never checks as valid.
//
// Verify checks any bag, not only ours: every payload manifest (MD5,
// SHA-1, SHA-256 or SHA-512) and tag manifest, every payload file listed
// in every payload manifest, Payload-Oxum when bag-info.txt gives it, and
// fetch.txt entries that were never fetched. It names every missing, extra
// or altered file. It reads nothing outside the bag: a manifest path that
// leaves the bag is a problem, not a file to read.
package bagit
