#!/usr/bin/env python3
"""Repack a TensorFlow wheel into the libtensorflow tarball tfjs-node(-gpu) expects.

usage: pack-libtensorflow.py WHEEL OUT.tar.gz [CUDA_WHEEL ...]

tfjs-node's install script unpacks `tf-lib` into node_modules/@tensorflow/tfjs-node/deps
and links its addon with `-ltensorflow -ltensorflow_framework` against deps/lib, with
headers from deps/include. The official libtensorflow tarball has that layout; the
Python wheel carries the same library (libtensorflow_cc.so.2, which holds the C and
eager C APIs since TF 2.1x) and headers of exactly the same version, under other
names. So:

  lib/libtensorflow_cc.so.2            from tensorflow/libtensorflow_cc.so.2
  lib/libtensorflow_framework.so.2     from tensorflow/libtensorflow_framework.so.2
  lib/libtensorflow.so -> libtensorflow_cc.so.2           (for -ltensorflow)
  lib/libtensorflow_framework.so -> libtensorflow_framework.so.2
  include/...                          the C API headers and what they include

The addon records the SONAMEs (libtensorflow_cc.so.2, libtensorflow_framework.so.2),
which the rpath $ORIGIN/../../deps/lib finds. Only the standard library is used, so
this runs wherever pip does.

WHEEL is `tensorflow-cpu` (CPU route) or `tensorflow` (the CUDA build, GPU route).
Each CUDA_WHEEL (nvidia-*-cu12, GPU route on a GPU host) adds its shared libraries
(and nvcc's ptxas and libdevice) under the same paths as in site-packages; headers
are left out:

  nvidia/cudnn/lib/libcudnn.so.9 ...   from nvidia/cudnn/lib/ in the wheel
  nvidia/cuda_nvcc/bin/ptxas ...       from nvidia/cuda_nvcc/{bin,nvvm}/

so they unpack to deps/nvidia/*/lib, which is where the RUNPATH of the CUDA build's
libraries ($ORIGIN/../nvidia/<name>/lib) and of the nvidia libraries themselves
($ORIGIN/../../<name>/lib) look.
"""
import io
import sys
import tarfile
import zipfile

LIBS = ('libtensorflow_cc.so.2', 'libtensorflow_framework.so.2')
LINKS = {'libtensorflow.so': 'libtensorflow_cc.so.2', 'libtensorflow_framework.so': 'libtensorflow_framework.so.2'}
# c_api.h and eager/c_api.h include tf_status.h -> xla/tsl/c/tsl_status.h, and
# tf_tstring.h -> tensorflow/core/platform/ctstring.h -> tsl/platform/ctstring*.h.
HEADER_DIRS = ('tensorflow/c/', 'tensorflow/core/platform/', 'tsl/', 'xla/tsl/')
INCLUDE = 'tensorflow/include/'


def add_bytes(tar, name, data, mode=0o644):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = mode
    tar.addfile(info, io.BytesIO(data))


CUDA_DIRS = ('lib', 'bin', 'nvvm')


def add_cuda_libs(tar, cuda_wheel):
    """Copy nvidia/<name>/{lib,bin,nvvm}/... from one nvidia-*-cu12 wheel; returns how many files."""
    count = 0
    with zipfile.ZipFile(cuda_wheel) as whl:
        for name in sorted(whl.namelist()):
            parts = name.split('/')
            if len(parts) < 4 or parts[0] != 'nvidia' or parts[2] not in CUDA_DIRS or name.endswith('/') \
                    or parts[-1] == '__init__.py':
                continue
            info = tarfile.TarInfo(name)
            info.size = whl.getinfo(name).file_size
            info.mode = 0o755 if parts[2] in ('lib', 'bin') else 0o644
            with whl.open(name) as src:
                tar.addfile(info, src)
            count += 1
    if count == 0:
        sys.exit(f'{cuda_wheel}: no nvidia/*/{{{",".join(CUDA_DIRS)}}}/ files in the wheel')
    return count


def main(wheel, out, cuda_wheels=()):
    with zipfile.ZipFile(wheel) as whl, tarfile.open(out, 'w:gz', compresslevel=1) as tar:
        names = set(whl.namelist())
        missing = [lib for lib in LIBS if 'tensorflow/' + lib not in names]
        if missing:
            sys.exit(f'{wheel}: no {", ".join(missing)} in the wheel (TensorFlow >= 2.12 ships them)')
        headers = sorted(n for n in names if n.startswith(INCLUDE) and n.endswith('.h')
                         and n[len(INCLUDE):].startswith(HEADER_DIRS))
        if not any(h.endswith('tensorflow/c/eager/c_api.h') for h in headers):
            sys.exit(f'{wheel}: no tensorflow/c/eager/c_api.h under {INCLUDE}')
        for name in headers:
            add_bytes(tar, 'include/' + name[len(INCLUDE):], whl.read(name))
        for lib in LIBS:
            info = tarfile.TarInfo('lib/' + lib)
            info.size = whl.getinfo('tensorflow/' + lib).file_size
            info.mode = 0o755
            with whl.open('tensorflow/' + lib) as src:
                tar.addfile(info, src)
        for link, target in LINKS.items():
            info = tarfile.TarInfo('lib/' + link)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            tar.addfile(info)
        cuda = sum(add_cuda_libs(tar, w) for w in cuda_wheels)
    extra = f', {cuda} CUDA files from {len(cuda_wheels)} wheels' if cuda_wheels else ''
    print(f'{out}: {len(headers)} headers, {", ".join(LIBS)}{extra}')


if __name__ == '__main__':
    if len(sys.argv) < 3:
        sys.exit(__doc__.split('\n\n')[1])
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
