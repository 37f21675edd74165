; Inno Setup 6 script for the agent's client on Windows: a per-user install (no
; administrator rights) of the PyInstaller folder dist\helpdesk, a Start menu shortcut,
; an optional desktop shortcut, an uninstaller, and the installer itself in Persian
; (right to left) or English. Build steps: packaging\windows\BUILD.md.
;   iscc packaging\windows\helpdesk.iss      (from the repository's root)

#define AppName "Helpdesk"
#define AppVersion GetEnv("HELPDESK_VERSION")
#if AppVersion == ""
  #define AppVersion "0.1.0"
#endif
#define Root AddBackslash(SourcePath) + "..\..\"
#define Bundle Root + "dist\helpdesk"

#if !FileExists(Bundle + "\helpdesk.exe")
  #error dist\helpdesk\helpdesk.exe is missing: build the bundle first (BUILD.md, step 3)
#endif

; Persian.isl is one of Inno Setup's unofficial translations: in the compiler's
; Languages folder, or put beside this script (BUILD.md, step 4)
#if FileExists(AddBackslash(CompilerPath) + "Languages\Persian.isl")
  #define PersianIsl "compiler:Languages\Persian.isl"
#elif FileExists(AddBackslash(SourcePath) + "Persian.isl")
  #define PersianIsl AddBackslash(SourcePath) + "Persian.isl"
#else
  #error Persian.isl not found: download it from https://jrsoftware.org/files/istrans/ (BUILD.md, step 4)
#endif

[Setup]
; never change AppId: upgrades and the uninstaller find the installed copy by it
AppId={{6B0E8C1E-5F1A-4C5B-9B83-2D7F4A9E11D4}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=Helpdesk
AppVerName={#AppName} {#AppVersion}
; per user: %LOCALAPPDATA%\Programs\Helpdesk, no UAC prompt; the user may still choose
; "for all users" in the dialog when they are an administrator
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
UninstallDisplayIcon={app}\helpdesk.exe
UninstallDisplayName={#AppName}
SetupIconFile={#Root}packaging\icons\helpdesk.ico
OutputDir={#Root}dist
OutputBaseFilename=helpdesk-{#AppVersion}-windows-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
ShowLanguageDialog=auto
; close a running Helpdesk before replacing its files
CloseApplications=yes
RestartApplications=no

[Languages]
; Persian first: it is chosen when Windows' language matches neither
Name: "persian"; MessagesFile: "{#PersianIsl}"
Name: "english"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
persian.AppComment=درخواست‌های پشتیبانی، آفلاین و همگام با کارساز دفتر
english.AppComment=Support tickets, offline-first, synced with the office's server

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#Bundle}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; an upgrade replaces the whole folder: no file of an older version lingers
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\helpdesk.exe"; Comment: "{cm:AppComment}"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\helpdesk.exe"; Comment: "{cm:AppComment}"; Tasks: desktopicon

[Run]
Filename: "{app}\helpdesk.exe"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

; The uninstaller removes the program folder only: the agent's cache (unsent work may be
; in it), settings and sign-in stay (README, "Installing on agents' desktops").
