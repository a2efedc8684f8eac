@{
    RootModule           = 'DockerHostTools.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '6f0b7c2e-3d54-4a8e-9f1c-2b7d9e4a5c10'
    Author               = 'DockerHostTools contributors'
    CompanyName          = 'DockerHostTools'
    Copyright            = '(c) DockerHostTools contributors. MIT License.'
    Description          = 'Finds out why a Linux Docker host''s published ports stop answering from outside (firewalld, flushed Docker chains, ip_forward) and fixes it.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @(
        'DockerHostTools.format.ps1xml'
        'Registry.format.ps1xml'
        'Firewalld.format.ps1xml'
        'Docker.format.ps1xml'
        'Diagnosis.format.ps1xml'
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
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('Docker', 'firewalld', 'iptables', 'sysctl', 'Linux', 'Networking')
            LicenseUri = 'https://opensource.org/licenses/MIT'
        }
    }
}
