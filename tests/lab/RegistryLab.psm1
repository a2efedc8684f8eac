# Helpers for the registry lab tests and bench: bring tests/lab/registry up and down, and run a script in the
# probe namespace in a child pwsh that imports the assembled module; the script's result comes back via CliXml.
$script:LabDir = Join-Path $PSScriptRoot 'registry'

function Start-RegistryLab {
    param([string] $Prefix = 'rg')
    $env:RGLAB_PREFIX = $Prefix
    & bash (Join-Path $script:LabDir 'rglab-down.sh') | Out-Null
    $out = & bash (Join-Path $script:LabDir 'rglab-up.sh') 2>&1
    if ($LASTEXITCODE -ne 0) { throw "rglab-up.sh failed: $($out -join "`n")" }
    [pscustomobject]@{ Prefix = $Prefix; ProbeNamespace = "${Prefix}probe"; RegistryNamespace = "${Prefix}reg"; State = "/tmp/${Prefix}lab" }
}

function Stop-RegistryLab {
    param([string] $Prefix = 'rg')
    $env:RGLAB_PREFIX = $Prefix
    & bash (Join-Path $script:LabDir 'rglab-down.sh') | Out-Null
}

function Invoke-InProbeNamespace {
    <#
    Runs $ScriptBlock in a child pwsh inside the probe namespace with the module imported; returns what the script
    block returns (deserialized). $ArgumentList is passed to it. -FileLimit runs the child under prlimit --nofile.
    #>
    param(
        [Parameter(Mandatory)] [string] $Namespace,
        [Parameter(Mandatory)] [string] $ModulePath,
        [Parameter(Mandatory)] [scriptblock] $ScriptBlock,
        [object[]] $ArgumentList = @(),
        [int] $FileLimit
    )
    $id = [guid]::NewGuid().ToString('n')
    $in = "/tmp/rg-in-$id.clixml"; $out = "/tmp/rg-out-$id.clixml"; $script = "/tmp/rg-run-$id.ps1"
    try {
        Export-Clixml -Path $in -InputObject @{ Args = $ArgumentList; Body = $ScriptBlock.ToString() } -Depth 5
        Set-Content -Path $script -Value @"
`$ErrorActionPreference = 'Stop'
Import-Module '$ModulePath' -Force
`$in = Import-Clixml '$in'
`$sb = [scriptblock]::Create(`$in.Body)
`$argList = @(`$in.Args)
`$result = & `$sb @argList
# Enums travel as numbers in CliXml when the reader has not loaded their type: send them as their names.
function ConvertTo-Transport(`$o) {
    if (`$o -is [System.Collections.IDictionary]) { `$h = @{}; foreach (`$k in @(`$o.Keys)) { `$h[`$k] = ConvertTo-Transport `$o[`$k] }; return `$h }
    if (`$o -is [array]) { return ,@(foreach (`$i in `$o) { ConvertTo-Transport `$i }) }
    if (`$o -is [DockerHostTools.Core.Registry.RegistryProbeResult]) {
        `$p = [ordered]@{}
        foreach (`$prop in `$o.PSObject.Properties) { `$p[`$prop.Name] = if (`$prop.Value -is [enum]) { `$prop.Value.ToString() } else { `$prop.Value } }
        `$c = [pscustomobject]`$p; `$c.PSObject.TypeNames.Insert(0, 'RegistryProbeResult'); return `$c
    }
    return `$o
}
`$result = ConvertTo-Transport `$result
Export-Clixml -Path '$out' -InputObject `$result -Depth 6
"@
        $pwshDll = [Environment]::GetCommandLineArgs()[0]
        $pwsh = if ($pwshDll -like '*.dll') { @([Environment]::ProcessPath, $pwshDll) } else { @([Environment]::ProcessPath) }
        $cmd = @('ip', 'netns', 'exec', $Namespace)
        if ($FileLimit) { $cmd += @('prlimit', "--nofile=$($FileLimit):$($FileLimit)", '--') }
        $cmd += $pwsh + @('-NoProfile', '-NonInteractive', '-File', $script)
        $text = & $cmd[0] @($cmd | Select-Object -Skip 1) 2>&1
        if ($LASTEXITCODE -ne 0 -or -not (Test-Path $out)) { throw "child pwsh in $Namespace failed ($LASTEXITCODE): $($text -join "`n")" }
        Import-Clixml $out
    }
    finally {
        Remove-Item $in, $out, $script -ErrorAction Ignore
    }
}

Export-ModuleMember -Function Start-RegistryLab, Stop-RegistryLab, Invoke-InProbeNamespace
