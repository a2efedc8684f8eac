# FirewalldLab.psm1 - helpers for the firewalld lab tests: bring up the netns lab (tests/lab/netns, Recipe 3) with a
# real firewalld, run the module inside the lab host in a child pwsh, run firewall-cmd there, tear the lab down.
# The prefix names the lab's namespaces (<prefix>host/ctr/ext) and its state folder (/tmp/<prefix>lab).

$script:NetnsDir = Join-Path $PSScriptRoot 'netns'
$script:Prefix = if ($env:DHT_FWLAB_PREFIX) { $env:DHT_FWLAB_PREFIX } else { 'fw' }

Import-Module (Join-Path $PSScriptRoot 'LabPwsh.psm1')

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
    Runs a script in a child pwsh inside the lab host with the module imported (LabPwsh.psm1's one runner); the
    script's output comes back as JSON (enums as words). It runs with $ErrorActionPreference Stop: an error it does not
    catch itself is thrown here.
    -User runs the child as another user (setpriv), for the not-root cases.
    #>
    param([Parameter(Mandatory)] [string] $Script, [string] $User)
    $env:FWLAB_PREFIX = $script:Prefix
    $root = Join-Path ([IO.Path]::GetTempPath()) ("dht-fwlab-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory $root | Out-Null
    & chmod 0755 $root
    try {
        $block = [scriptblock]::Create("`$ErrorActionPreference = 'Stop'`n$Script")
        $r = Invoke-LabPwshRun -Enter @('bash', (Join-Path $script:NetnsDir 'fwlab-exec.sh'), 'host') -WorkRoot $root -ScriptBlock $block -User $User
        Get-LabPwshValue $r
    }
    finally { Remove-Item $root -Recurse -Force -ErrorAction Ignore }
}

Export-ModuleMember -Function Get-FirewalldLabPrefix, Start-FirewalldLab, Stop-FirewalldLab, Invoke-FirewalldLabHost, Invoke-FirewallCmdInLab, Invoke-ModuleInFirewalldLab
