# FirewalldLab.psm1 - helpers for the firewalld lab tests: bring up the netns lab (tests/lab/netns, Recipe 3) with a
# real firewalld, run the module inside the lab host in a child pwsh, run firewall-cmd there, tear the lab down.
# The prefix names the lab's namespaces (<prefix>host/ctr/ext) and its state folder (/tmp/<prefix>lab).

$script:NetnsDir = Join-Path $PSScriptRoot 'netns'
$script:Prefix = if ($env:DHT_FWLAB_PREFIX) { $env:DHT_FWLAB_PREFIX } else { 'fw' }

function Get-FirewalldLabPrefix { $script:Prefix }

function Invoke-FirewalldLabScript {
    # Runs one of the lab's shell scripts with the prefix; returns its output; throws when it fails.
    param([Parameter(Mandatory)] [string] $Name, [string[]] $ArgumentList = @())
    $env:FWLAB_PREFIX = $script:Prefix
    $out = & bash (Join-Path $script:NetnsDir $Name) @ArgumentList 2>&1
    if ($LASTEXITCODE -ne 0) { throw "$Name $($ArgumentList -join ' ') failed ($LASTEXITCODE): $($out -join "`n")" }
    $out
}

function Start-FirewalldLab {
    # A fresh lab with firewalld running on the given backend (iptables: with legacy iptables, closest to CentOS 7).
    param([ValidateSet('nftables', 'iptables')] [string] $Backend = 'nftables')
    Stop-FirewalldLab
    $ipt = if ($Backend -eq 'iptables') { 'legacy' } else { 'nft' }
    Invoke-FirewalldLabScript 'fwlab-up.sh' @('--firewalld', '--backend', $Backend, '--iptables', $ipt, '--no-proxy') | Out-Null
}

function Stop-FirewalldLab {
    # Tears the lab down (only this prefix's); harmless when it is not up.
    $env:FWLAB_PREFIX = $script:Prefix
    & bash (Join-Path $script:NetnsDir 'fwlab-down.sh') *> $null
}

function Invoke-FirewalldLabHost {
    # Runs a program in the lab host (its network and mount namespaces); returns exit code, stdout, stderr.
    param([Parameter(Mandatory, Position = 0)] [string] $FilePath, [Parameter(ValueFromRemainingArguments)] [string[]] $ArgumentList = @())
    $env:FWLAB_PREFIX = $script:Prefix
    $errFile = [IO.Path]::GetTempFileName()
    try {
        $out = & bash (Join-Path $script:NetnsDir 'fwlab-exec.sh') host $FilePath @ArgumentList 2> $errFile
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($out -join "`n").Trim(); Error = (Get-Content $errFile -Raw) + '' }
    }
    finally { Remove-Item $errFile -ErrorAction Ignore }
}

function Invoke-FirewallCmdInLab {
    # firewall-cmd in the lab host; returns exit code and output.
    param([Parameter(ValueFromRemainingArguments)] [string[]] $ArgumentList)
    Invoke-FirewalldLabHost firewall-cmd @ArgumentList
}

function Invoke-ModuleInFirewalldLab {
    <#
    Runs a script in a child pwsh inside the lab host with the module imported; the script's output comes back
    as JSON (ConvertTo-Json -EnumsAsStrings). Errors are not swallowed: the script catches what it wants to assert on.
    -User runs the child as another user (setpriv), for the not-root cases.
    #>
    param([Parameter(Mandatory)] [string] $Script, [string] $User)
    $env:FWLAB_PREFIX = $script:Prefix
    $dotnet = [Environment]::ProcessPath
    $pwshDll = [Environment]::GetCommandLineArgs()[0]
    $work = Join-Path ([IO.Path]::GetTempPath()) ("dht-fwlab-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory $work | Out-Null
    try {
        $resultFile = Join-Path $work 'result.json'
        $modulePath = $env:DHT_MODULE_PATH
        if ($User) {
            # The unprivileged user cannot read root's home (pwsh) nor, maybe, the build folder: give it copies.
            Copy-Item (Split-Path $pwshDll) (Join-Path $work 'pwsh') -Recurse
            $pwshDll = Join-Path $work 'pwsh' (Split-Path $pwshDll -Leaf)
            Copy-Item (Split-Path $modulePath) (Join-Path $work 'module') -Recurse
            $modulePath = Join-Path $work 'module' (Split-Path $modulePath -Leaf)
            & chmod -R a+rX $work
        }
        $scriptFile = Join-Path $work 'script.ps1'
        @"
`$ErrorActionPreference = 'Stop'
`$ProgressPreference = 'SilentlyContinue'
Import-Module '$modulePath' -Force
`$result = & { $Script }
# JSON, as a runbook would read it: enums as strings (this also checks the output converts cleanly).
ConvertTo-Json -InputObject `$result -Depth 8 -EnumsAsStrings | Set-Content -Path '$resultFile'
"@ | Set-Content $scriptFile
        $pwshArgs = @('-NoProfile', '-NonInteractive', '-File', $scriptFile)
        $cmd = if ($pwshDll -like '*.dll') { @($dotnet, $pwshDll) + $pwshArgs } else { @($dotnet) + $pwshArgs }
        if ($User) {
            & chmod 0777 $work
            $cmd = @('setpriv', "--reuid=$User", "--regid=$User", '--clear-groups', '--') + $cmd
        }
        $env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
        $out = & bash (Join-Path $script:NetnsDir 'fwlab-exec.sh') host env HOME=$work DOTNET_CLI_HOME=$work @cmd 2>&1
        if (-not (Test-Path $resultFile)) { throw "The child pwsh in the lab wrote no result (exit $LASTEXITCODE): $($out -join "`n")" }
        Get-Content $resultFile -Raw | ConvertFrom-Json
    }
    finally { Remove-Item $work -Recurse -Force -ErrorAction Ignore }
}

Export-ModuleMember -Function Get-FirewalldLabPrefix, Start-FirewalldLab, Stop-FirewalldLab, Invoke-FirewalldLabHost, Invoke-FirewallCmdInLab, Invoke-ModuleInFirewalldLab
