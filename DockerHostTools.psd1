@{
    RootModule           = 'DockerHostTools.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '6f0b7c2e-3d54-4a8e-9f1c-2b7d9e4a5c10'
    Author               = 'DockerHostTools contributors'
    CompanyName          = 'DockerHostTools'
    Copyright            = '(c) DockerHostTools contributors. MIT License.'
    Description          = 'Finds out why a Linux Docker host''s published ports stop answering from outside (firewalld, flushed Docker chains, ip_forward) and fixes it.'
    # The assemblies target net10.0: PowerShell 7.6 is the first that runs them.
    PowerShellVersion    = '7.6'
    CompatiblePSEditions = @('Core')
    TypesToProcess       = @('DockerHostTools.types.ps1xml')
    FormatsToProcess     = @(
        'DockerHostTools.format.ps1xml'
        'Registry.format.ps1xml'
        'Firewalld.format.ps1xml'
        'Docker.format.ps1xml'
        'Diagnosis.format.ps1xml'
        'Trace.format.ps1xml'
    )
    CmdletsToExport      = @(
        'Get-IpForward'
        'Repair-IpForward'
        'Test-RegistryReachable'
        'Get-FirewalldState'
        'Get-FirewalldZone'
        'Get-FirewalldPort'
        'Test-FirewalldPort'
        'Add-FirewalldPort'
        'Remove-FirewalldPort'
        'Get-DockerChain'
        'Get-DockerPublishedPort'
        'Get-DockerHostService'
        'Repair-DockerChain'
        'Get-DockerHostNetState'
        'Test-DockerHost'
        'Repair-DockerHost'
        'Watch-DockerHostNetState'
        'Trace-DockerHostPort'
        'Install-DockerHostTools'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags = @('Docker', 'firewalld', 'iptables', 'sysctl', 'Linux', 'Networking')
            # build.ps1 Build adds ProjectUri and LicenseUri (from its $ProjectUri) and ReleaseNotes (this version's
            # section of CHANGELOG.md) to the copy in output/: the URL and the notes live in one place each.
        }
    }
}
