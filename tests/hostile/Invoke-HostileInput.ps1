<#
    Run by tests/Hostile.Tests.ps1 in a child pwsh (as nobody, in a throwaway network and mount namespace): feeds every
    parameter of every command of the module a set of hostile values and writes, as JSON, one row per call with the
    error ids it produced. Changing commands get -WhatIf; -Confirm is never given.
#>
param([Parameter(Mandatory)] [string] $ModulePath, [Parameter(Mandatory)] [string] $OutFile)
$ErrorActionPreference = 'Continue'
$ProgressPreference = 'SilentlyContinue'
$WarningPreference = 'SilentlyContinue'
Import-Module $ModulePath -Force
$common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
$values = [ordered]@{
    Empty      = ''
    Space      = ' '
    Nul        = "a`0b"
    Newline    = "a`nb"
    Huge       = 'x' * 100KB
    Wildcard   = '[*?'
    Traversal  = '../../../etc'
    Negative   = -1
    HugeNumber = [long]::MaxValue
}
$rows = foreach ($cmd in Get-Command -Module DockerHostTools | Sort-Object Name) {
    $params = @($cmd.Parameters.Values | Where-Object { $_.Name -notin $common -and $_.ParameterType -ne [switch] } | Sort-Object Name)
    if ($params.Count -eq 0) {
        # Only switches (Get-FirewalldState): once as it is, so it is in the run too.
        $ids = @(); try { $null = & $cmd.Name -ErrorAction SilentlyContinue -ErrorVariable ev 2>$null; $ids = @($ev | ForEach-Object FullyQualifiedErrorId) } catch { $ids = @($_.FullyQualifiedErrorId) }
        [pscustomobject]@{ Command = $cmd.Name; Parameter = ''; Value = 'None'; Ids = $ids; Ms = 0 }
    }
    foreach ($p in $params) {
        foreach ($v in $values.GetEnumerator()) {
            $splat = @{ $p.Name = $v.Value }
            if ($cmd.Parameters.ContainsKey('WhatIf')) { $splat.WhatIf = $true }
            if ($cmd.Name -eq 'Watch-DockerHostNetState' -and $p.Name -ne 'Duration') { $splat.Duration = 1 }
            if ($cmd.Name -eq 'Test-RegistryReachable' -and $p.Name -ne 'TimeoutSec') { $splat.TimeoutSec = 1 }
            $ids = @()
            $watch = [Diagnostics.Stopwatch]::StartNew()
            try {
                $null = & $cmd.Name @splat -ErrorAction SilentlyContinue -ErrorVariable ev 2>$null
                $ids += @($ev | ForEach-Object { if ($_ -is [System.Management.Automation.ErrorRecord]) { $_.FullyQualifiedErrorId } else { "NotAnErrorRecord:$($_.GetType().FullName)" } })
            }
            catch {
                $ids += $_.FullyQualifiedErrorId
            }
            [pscustomobject]@{ Command = $cmd.Name; Parameter = $p.Name; Value = $v.Key; Ids = @($ids | Select-Object -Unique); Ms = $watch.ElapsedMilliseconds }
        }
    }
}
$rows | ConvertTo-Json -Depth 4 | Set-Content -Path $OutFile
exit 0
