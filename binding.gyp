# SPDX-License-Identifier: Apache-2.0
# The Switchyard addon. gyp has no globs, so the source list comes from `find`: new engine files under
# native/core and native/io are picked up without editing this file. Fuzz targets and tests live
# elsewhere and are never part of the addon.
{
  'targets': [
    {
      'target_name': 'switchyard',
      'sources': [
        '<!@(find native/napi native/io native/core -name "*.cc" | LC_ALL=C sort)',
      ],
      'include_dirs': [
        '<!(node -p "require(\'node-addon-api\').include_dir")',
        'native',
        '<!@(pkg-config --cflags-only-I libnl-route-3.0 | sed "s/-I//g")',
      ],
      'defines': [
        'NAPI_VERSION=8',
        'NAPI_DISABLE_CPP_EXCEPTIONS',
      ],
      'cflags': ['-fvisibility=hidden', '-Wall', '-Wextra'],
      'cflags_cc': ['-std=c++17', '-fvisibility=hidden', '-fvisibility-inlines-hidden', '-fno-exceptions', '-Wall', '-Wextra'],
      'cflags_cc!': ['-std=gnu++17', '-std=gnu++20'],
      # LGPL-2.1: libnl is linked dynamically; the target image provides libnl-3 and libnl-route-3.
      'libraries': ['<!@(pkg-config --libs libnl-route-3.0)'],
      # Size over speed: every page of the addon's code is resident in the daemon (BENCHMARKS.md, memory),
      # and its hot paths wait on syscalls, not on instructions. Unused functions are dropped at link.
      'configurations': {
        'Release': {
          'cflags!': ['-O3'],
          'cflags_cc!': ['-O3'],
          'cflags': ['-Os', '-ffunction-sections', '-fdata-sections'],
          'ldflags': ['-Wl,--gc-sections', '-Wl,-O1'],
        },
      },
    },
  ],
}
