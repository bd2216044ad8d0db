#!/bin/sh
# sync-data.sh SRC DST: keeps DST, a replica's data folder, in step with
# SRC, the data folder a writer builds into (a local path or host:path,
# as rsync takes it), so that `backchannel serve --read-only --data DST`
# never sees a build it cannot serve whole.
#
# The order matters. rsync copies in name order, so one plain `rsync -a`
# would bring the new build folder and the `current` link before the new
# objects in objects/ (and a copy cut short there would leave current
# naming a build whose lines are missing). Instead:
#   1. the link as it is now, under a name no server reads;
#   2. everything else: the builds, objects/ (without the writer's
#      unfinished builds, temporary files and lock), deleting what the
#      writer has removed;
#   3. one rename puts the link in place: the replicas switch to the build
#      it names, which step 2 copied whole.
# A copy cut short anywhere leaves DST serving its last build; run it again.
# Run it on the replica's host (DST must be local for step 3), e.g. every
# minute from a systemd timer or cron.
set -eu
if [ $# -ne 2 ]; then
	echo "usage: sync-data.sh SRC DST (SRC: writer:/var/lib/backchannel/data)" >&2
	exit 2
fi
src=${1%/}
dst=${2%/}
mkdir -p "$dst"
rsync -a "$src/current" "$dst/current.tmp-rsync"
rsync -a --delete \
	--exclude=/current --exclude='/current.tmp-*' --exclude='/tmp-*' \
	--exclude=/build.lock --exclude='.tmp-*' \
	"$src/" "$dst/"
mv -T "$dst/current.tmp-rsync" "$dst/current"
