; The Windows installer of the desktop app, built by scripts/package-windows.sh
; with Debian's makensis (docs/windows.md). Written by hand rather than by
; Tauri's bundler, which fetches its NSIS plugins from the network at build
; time.
;
; makensis -DVERSION=0.1.0 -DAPP_EXE=path\brygga-desktop.exe -DICON=path\icon.ico
;          -DWEBVIEW2_LOADER=path\WebView2Loader.dll
;          -DOUTFILE=path\Brygga_0.1.0_x64-setup.exe installer.nsi
;
; WebView2Loader.dll goes beside the app: built with the GNU toolchain,
; webview2-com links Microsoft's loader as a DLL (the static one is an MSVC
; library), so the app does not start without it. tauri-build copies it
; next to brygga-desktop.exe in the target folder.
;
; For the current user, without administrator rights (Tauri's default
; install mode): the app goes to %LOCALAPPDATA%\Programs\Brygga. The journal
; is not the installer's: it lives in %LOCALAPPDATA%\Brygga\Brygga\data and
; an uninstall leaves it there.
;
; WebView2 is part of Windows 11 and of an updated Windows 10. Where it is
; missing the installer downloads Microsoft's small bootstrapper with the
; curl.exe that Windows 10 (1803 and later) ships, and runs it: that needs
; the network at install time, and the installer stops with a message
; without it. Not an NSIS download plugin: of those Debian's NSIS has only
; NSISdl, which speaks plain HTTP, and Microsoft's link is HTTPS (INetC is
; not packaged). nsExec, which runs curl.exe, is one of Debian's plugins.
;
; A 32-bit installer, as makensis builds by default: $SYSDIR is then
; SysWOW64 (which has its own curl.exe), and HKLM reads the 32-bit registry
; view, where Microsoft documents the WebView2 key of a per-machine runtime.

!ifndef VERSION | APP_EXE | ICON | WEBVIEW2_LOADER | OUTFILE
  !error "define VERSION, APP_EXE, ICON, WEBVIEW2_LOADER and OUTFILE (scripts/package-windows.sh does)"
!endif

Unicode true
ManifestDPIAware true
SetCompressor /SOLID lzma
RequestExecutionLevel user

!define PRODUCT "Brygga"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\se.brygga.desktop"
; The WebView2 runtime's client id (Microsoft's documented registry check).
!define WEBVIEW2_KEY "SOFTWARE\Microsoft\EdgeUpdate\Clients\{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"
!define WEBVIEW2_BOOTSTRAPPER_URL "https://go.microsoft.com/fwlink/p/?LinkId=2124703"

Name "${PRODUCT}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${PRODUCT}"
InstallDirRegKey HKCU "${UNINSTALL_KEY}" "InstallLocation"
VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=0 "ProductName" "${PRODUCT}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileDescription" "${PRODUCT} installer"
VIAddVersionKey /LANG=0 "LegalCopyright" "EUPL-1.2"

!include "MUI2.nsh"
!include "LogicLib.nsh"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\brygga-desktop.exe"

!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "Swedish"
!insertmacro MUI_LANGUAGE "English"

LangString WebView2Missing ${LANG_SWEDISH} "WebView2 saknas och kunde inte hämtas. Anslut datorn till nätverket och kör installationen igen."
LangString WebView2Missing ${LANG_ENGLISH} "WebView2 is missing and could not be downloaded. Connect the computer to the network and run the installer again."
LangString WebView2Failed ${LANG_SWEDISH} "WebView2 kunde inte installeras (felkod $1)."
LangString WebView2Failed ${LANG_ENGLISH} "WebView2 could not be installed (error code $1)."

Section "WebView2" SecWebView2
  ReadRegStr $0 HKLM "${WEBVIEW2_KEY}" "pv"
  ${If} $0 == ""
  ${OrIf} $0 == "0.0.0.0"
    ReadRegStr $0 HKCU "${WEBVIEW2_KEY}" "pv"
  ${EndIf}
  ${If} $0 != ""
  ${AndIf} $0 != "0.0.0.0"
    DetailPrint "WebView2 $0"
    Return
  ${EndIf}
  InitPluginsDir
  DetailPrint "Downloading the WebView2 bootstrapper"
  nsExec::ExecToLog '"$SYSDIR\curl.exe" --fail --silent --show-error --location --output "$PLUGINSDIR\MicrosoftEdgeWebview2Setup.exe" "${WEBVIEW2_BOOTSTRAPPER_URL}"'
  Pop $0
  ${If} $0 != 0
    MessageBox MB_ICONSTOP "$(WebView2Missing)"
    Abort
  ${EndIf}
  ExecWait '"$PLUGINSDIR\MicrosoftEdgeWebview2Setup.exe" /silent /install' $1
  ${If} $1 != 0
    MessageBox MB_ICONSTOP "$(WebView2Failed)"
    Abort
  ${EndIf}
SectionEnd

Section "Brygga" SecApp
  SectionIn RO
  SetOutPath "$INSTDIR"
  File "/oname=brygga-desktop.exe" "${APP_EXE}"
  File "/oname=icon.ico" "${ICON}"
  File "/oname=WebView2Loader.dll" "${WEBVIEW2_LOADER}"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  SetShellVarContext current
  CreateShortCut "$SMPROGRAMS\${PRODUCT}.lnk" "$INSTDIR\brygga-desktop.exe" "" "$INSTDIR\icon.ico"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${PRODUCT}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\icon.ico"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

; The journal folder (%LOCALAPPDATA%\Brygga\Brygga\data) is left alone: it
; may hold entries not yet synced, and "start again" is the app's own.
Section "Uninstall"
  SetShellVarContext current
  Delete "$SMPROGRAMS\${PRODUCT}.lnk"
  Delete "$INSTDIR\brygga-desktop.exe"
  Delete "$INSTDIR\icon.ico"
  Delete "$INSTDIR\WebView2Loader.dll"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
SectionEnd
