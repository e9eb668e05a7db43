/*
 * bcryptprimitives.dll for Wine 8 (Debian 12), which lacks it: Rust's
 * standard library (1.78 and later) takes its random bytes from
 * ProcessPrng there, so no Windows test binary would start. Wine 9 has the
 * DLL; Windows 10 and 11 have it. Built and installed into the test stage's
 * Wine prefix only (scripts/test.sh windows), never shipped.
 *
 * ProcessPrng fills the buffer from the system's preferred generator, as
 * Windows' own does, and never fails on Windows; here a failure of
 * BCryptGenRandom is returned as FALSE.
 */
#include <windows.h>
#include <bcrypt.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0)
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
