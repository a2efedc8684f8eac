# Helpers for the registry lab tests and bench: bring tests/lab/registry up and down, and run a script in the
# probe namespace in a child pwsh that imports the assembled module; the script's result comes back via CliXml.
$script:LabDir = Join-Path $PSScriptRoot 'registry'

Import-Module (Join-Path $PSScriptRoot 'LabPwsh.psm1')

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
    Runs $ScriptBlock in a child pwsh inside the probe namespace with the module imported (LabPwsh.psm1's one runner);
    returns what the script block returns (JSON, enums as words). $ArgumentList is passed to it. -FileLimit runs the
    child under prlimit --nofile. An error the script does not catch is thrown here.
    #>
    param(
        [Parameter(Mandatory)] [string] $Namespace,
        [Parameter(Mandatory)] [string] $ModulePath,
        [Parameter(Mandatory)] [scriptblock] $ScriptBlock,
        [object[]] $ArgumentList = @(),
        [int] $FileLimit
    )
    $root = Join-Path ([IO.Path]::GetTempPath()) ("dht-rglab-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory $root | Out-Null
    try {
        $block = [scriptblock]::Create("`$ErrorActionPreference = 'Stop'`n" + $ScriptBlock.ToString())
        $wrap = if ($FileLimit) { @('prlimit', "--nofile=$($FileLimit):$($FileLimit)", '--') } else { @() }
        $r = Invoke-LabPwshRun -Enter @('ip', 'netns', 'exec', $Namespace) -Wrap $wrap -WorkRoot $root -ModulePath $ModulePath -ScriptBlock $block -ArgumentList $ArgumentList
        Get-LabPwshValue $r
    }
    finally { Remove-Item $root -Recurse -Force -ErrorAction Ignore }
}

Export-ModuleMember -Function Start-RegistryLab, Stop-RegistryLab, Invoke-InProbeNamespace
