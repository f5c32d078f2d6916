fivehours: /tmp/ops-s34/rofs2/mnt: cannot write into this folder (Read-only file system): choose another --out or output.dir, or let the user who runs fivehours write there
