@{
    Synopsis     = 'Installs DockerHostTools from its nupkg on Docker hosts over PowerShell remoting (SSH), so that Test-DockerHost -Session/-HostName can read them.'
    Description  = @'
Install-DockerHostTools takes the module's package (build.ps1 Package writes output/package/DockerHostTools.VERSION.nupkg)
and installs it on every host of -Session or -HostName, side by side (-ThrottleLimit), over the same SSH sessions the
fleet commands use. The package is checked here first: a nupkg (a zip archive) whose .nuspec names DockerHostTools and
a version.

On each host a probe lists the DockerHostTools versions there (Get-Module -ListAvailable) and whether the host's
PowerShell has Microsoft.PowerShell.PSResourceGet (it ships with PowerShell 7.4 and later); the probe changes nothing.
A host that already has the package's version is AlreadyCurrent: nothing is copied or changed there. On the other hosts
(after -Confirm/-WhatIf): the package is copied in 1 MB pieces into a new temporary folder of the host (mode 700, under
its temporary path), its SHA256 is checked there, that folder is registered as a trusted PSResourceGet repository of a
name of its own, Install-PSResource installs exactly the package's version from it (-TrustRepository, -Scope; no other
repository is asked, so nothing reaches the network), the repository is unregistered and the folder removed, and
Get-Module -ListAvailable must then list the version. A host with other, older versions is Upgraded: the new version
is installed beside them (PowerShell imports the highest), which is what the fleet diagnosis needs (it reads a host
whose module has the controlling version). A host with a newer version than the package's is Failed with Reason
NewerVersionInstalled and nothing is copied or changed there: the fleet commands would still import the newer one
(Uninstall-PSResource it on that host first to go back).

Installing twice changes nothing the second time. A host that fails is its own result, never a failure of the run.
'@
    Parameters   = @{
        Path              = 'The package: a DockerHostTools.VERSION.nupkg (build.ps1 Package writes it into output/package). Relative paths are from the current location. It must be a regular file (a named pipe or a device is InvalidPackage, never opened); its name here does not matter: on each host it is written as DockerHostTools.VERSION.nupkg, the name PSResourceGet''s local repository finds it by.'
        Scope             = 'Install-PSResource''s -Scope on each host: CurrentUser (the default, the SSH user''s own modules) or AllUsers (/usr/local/share/powershell/Modules; needs root there).'
        Session           = 'Sessions to Docker hosts (New-PSSession -HostName ... over SSH, or any PSSession). A session that is not open is a Failed result with Reason SessionNotOpened for that host.'
        HostName          = 'Docker hosts to reach over SSH, as Invoke-Command -HostName takes them (host or user@host). The sessions are opened side by side (at most -ThrottleLimit at once), with BatchMode=yes (never a password prompt), and kept open for the next fleet command of this pwsh (closed when the module is removed). A host that cannot be reached is a Failed result with Reason HostUnreachable; the others go on.'
        UserName          = 'The SSH user, as Invoke-Command -UserName (default: the user part of -HostName, else ssh''s default).'
        KeyFilePath       = 'The SSH private key, as Invoke-Command -KeyFilePath.'
        Options           = 'ssh options, as Invoke-Command -Options: @{ StrictHostKeyChecking = ''no''; UserKnownHostsFile = ''/dev/null'' }; Port = N for another SSH port. BatchMode is yes unless set here.'
        ConnectingTimeout = 'Milliseconds to wait for each SSH connection (default 15000), as Invoke-Command -ConnectingTimeout.'
        ThrottleLimit     = 'How many hosts are worked on at once (default 32), as Invoke-Command -ThrottleLimit.'
    }
    Outputs      = @{ DockerHostInstallResult = 'One per host, in the order given (a host declined at -Confirm, or under -WhatIf, gives none): HostName (PSComputerName the same), Status (Installed, Upgraded, AlreadyCurrent, Failed), Reason (a constant id: Installed, Upgraded, AlreadyCurrent, HostUnreachable, SessionNotOpened, PSResourceGetMissing, CopyFailed, InstallFailed, VersionCheckFailed, RemoteCommandFailed, NewerVersionInstalled), Version (the package''s), PreviousVersion (the versions the host had, highest first), ModuleBase (where the version is on the host) and Message.' }
    Examples     = @(
        @{ Code = 'Install-DockerHostTools -HostName dkfleet1, dkfleet2 -UserName root -KeyFilePath ~/.ssh/fleet -Path ./output/package/DockerHostTools.0.1.0.nupkg'; Remarks = 'Installs the package on two hosts; a second run says AlreadyCurrent for both.' }
        @{ Code = '$s = New-PSSession -HostName dkfleet1, dkfleet2 -UserName root; Install-DockerHostTools -Session $s -Path ./DockerHostTools.0.1.0.nupkg -WhatIf'; Remarks = 'Says what would be installed or upgraded on each host of the sessions, and changes nothing.' }
        @{ Code = 'Install-DockerHostTools -Session $s -Path $nupkg | Where-Object Status -eq Failed | Format-Table HostName, Reason, Message'; Remarks = 'The hosts where it did not work, and why.' }
    )
    Notes        = 'Bad input stops the command before any host is reached: a -Path with no file (or a folder) is a PackageNotFound error (ObjectNotFound, the path as target); a file that is not a DockerHostTools nupkg (not a zip, no .nuspec, another id, no version) is InvalidPackage (InvalidData); a file that cannot be read is PackageNotReadable (ReadError). A host name ssh would refuse is a non-terminating InvalidHostName error (InvalidArgument) and the other hosts go on; a bad -UserName, -KeyFilePath or -Options value stops the command (InvalidUserName, InvalidKeyFilePath, InvalidSshOption). Register-PSResourceRepository writes the host user''s PSResourceGet repository list (it creates it, with PSGallery, when the user never used PSResourceGet); the install''s own repository is removed from it again.'
    RelatedLinks = @('Test-DockerHost', 'about_DockerHostTools')
}
