# Get-IpForward / Repair-IpForward. Non-lab tests use real file trees under -Root; lab tests run the real sysctl and
# real files in a network namespace with its own mount namespace (tests/lab/netns), as root.
BeforeAll {
    Import-Module $env:DHT_MODULE_PATH -Force
    function New-Tree([hashtable] $Files) {
        $root = Join-Path ([System.IO.Path]::GetTempPath()) ("dht-ipf-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
        foreach ($k in $Files.Keys) {
            $p = Join-Path $root $k.TrimStart('/')
            New-Item -ItemType Directory -Path (Split-Path $p) -Force | Out-Null
            Set-Content -Path $p -Value $Files[$k] -NoNewline
        }
        New-Item -ItemType Directory -Path $root -Force | Out-Null
        $root
    }
}

Describe 'Get-IpForward' {
    It 'returns one IPv4 state by default, read from the live host' {
        $s = @(Get-IpForward)
        $s.Count | Should -Be 1
        $s[0].Family | Should -Be 'IPv4'
        $s[0].Key | Should -Be 'net.ipv4.ip_forward'
        $s[0].RuntimeValue | Should -Be (Get-Content /proc/sys/net/ipv4/ip_forward).Trim()
    }

    It 'returns IPv4 and both IPv6 switches with -Family All' {
        (Get-IpForward -Family All).Key | Should -Be @('net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding', 'net.ipv6.conf.default.forwarding')
    }

    It 'judges both IPv6 switches of a saved host, each by its own files' {
        $root = New-Tree @{
            '/proc/sys/net/ipv6/conf/all/forwarding' = '1'; '/proc/sys/net/ipv6/conf/default/forwarding' = '1'
            '/etc/sysctl.d/30-v6.conf' = "net.ipv6.conf.all.forwarding = 1`n"
        }
        try {
            $s = @(Get-IpForward -Family IPv6 -Root $root)
            $s.Key | Should -Be @('net.ipv6.conf.all.forwarding', 'net.ipv6.conf.default.forwarding')
            $s.Family | Should -Be @('IPv6', 'IPv6')
            $s.Status | Should -Be @('Ok', 'NotPersisted')
        }
        finally { Remove-Item $root -Recurse -Force }
    }

    It 'judges a saved copy of a host under -Root: <Name>' -ForEach @(
        @{ Name = 'hardening file overrides the vendor file'; Files = @{ '/proc/sys/net/ipv4/ip_forward' = '1'; '/usr/lib/sysctl.d/50-default.conf' = "net.ipv4.ip_forward = 1`n"; '/etc/sysctl.d/99-cis.conf' = "net.ipv4.ip_forward = 0`n" }; Status = 'Overridden'; Source = '/etc/sysctl.d/99-cis.conf:1' }
        @{ Name = 'runtime only'; Files = @{ '/proc/sys/net/ipv4/ip_forward' = '1' }; Status = 'NotPersisted'; Source = $null }
        @{ Name = 'off now'; Files = @{ '/proc/sys/net/ipv4/ip_forward' = '0'; '/etc/sysctl.d/30-docker.conf' = "net.ipv4.ip_forward=1`n" }; Status = 'RuntimeDisabled'; Source = '/etc/sysctl.d/30-docker.conf:1' }
        @{ Name = 'persisted and on'; Files = @{ '/proc/sys/net/ipv4/ip_forward' = '1'; '/etc/sysctl.conf' = "# x`nnet.ipv4.ip_forward = 1`n" }; Status = 'Ok'; Source = '/etc/sysctl.conf:2' }
    ) {
        $root = New-Tree $Files
        try {
            $s = Get-IpForward -Root $root
            $s.Status | Should -Be $Status
            if ($Source) { $s.PersistedSource.Source | Should -Be $Source } else { $s.PersistedSource | Should -BeNullOrEmpty }
            $s.Root | Should -Be $root
        }
        finally { Remove-Item $root -Recurse -Force }
    }

    It 'converts to JSON with words for the status' {
        $root = New-Tree @{ '/proc/sys/net/ipv4/ip_forward' = '0' }
        try {
            $json = Get-IpForward -Root $root | ConvertTo-Json -Depth 4 -EnumsAsStrings | ConvertFrom-Json
            $json.Status | Should -Be 'RuntimeDisabled'
            $json.RuntimeEnabled | Should -BeFalse
        }
        finally { Remove-Item $root -Recurse -Force }
    }

    It 'fails with RootNotFound for a -Root that does not exist' {
        { Get-IpForward -Root /nonexistent/dht-root -ErrorAction Stop } | Should -Throw -ErrorId 'RootNotFound,DockerHostTools.Commands.GetIpForwardCommand'
    }

    It 'rejects an unknown family' {
        { Get-IpForward -Family IPv5 -ErrorAction Stop } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,DockerHostTools.Commands.GetIpForwardCommand'
    }
}

Describe 'Repair-IpForward input checks' {
    It 'rejects a drop-in path outside a sysctl.d folder before touching anything: <Path>' -ForEach @(
        @{ Path = '/etc/passwd' }, @{ Path = '/etc/sysctl.d/90-x' }, @{ Path = '/etc/sysctl.d/../shadow.conf' }, @{ Path = 'relative.conf' }
    ) {
        $before = if (Test-Path $Path) { (Get-Item $Path).LastWriteTimeUtc }
        { Repair-IpForward -Path $Path -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidDropInPath,DockerHostTools.Commands.RepairIpForwardCommand'
        if ($before) { (Get-Item $Path).LastWriteTimeUtc | Should -Be $before }
    }

    It 'rejects an unknown family before anything is planned: <Family>' -ForEach @(@{ Family = 'bogus' }, @{ Family = 'IPv5' }, @{ Family = '' }) {
        $e = $null
        try { Repair-IpForward -Family $Family -Confirm:$false -ErrorAction Stop } catch { $e = $_ }
        $e | Should -Not -BeNullOrEmpty
        $e.FullyQualifiedErrorId | Should -Be 'CannotConvertArgumentNoMessage,DockerHostTools.Commands.RepairIpForwardCommand'
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $e.Exception.Message | Should -Match 'IPv4.*IPv6.*All'
    }

    It 'rejects a bad drop-in path for IPv6 as for IPv4' {
        { Repair-IpForward -Family IPv6 -Path /run/sysctl.d/x.conf -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidDropInPath,DockerHostTools.Commands.RepairIpForwardCommand'
    }

    It 'rejects an empty path' {
        { Repair-IpForward -Path '' -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError,DockerHostTools.Commands.RepairIpForwardCommand'
    }

    It 'declares ConfirmImpact Medium (it changes a file and a kernel setting, never a service)' {
        (Get-Command Repair-IpForward).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false).ConfirmImpact | Should -Be 'Medium'
    }
}

Describe 'Repair-IpForward on real sysctl in a namespace lab' -Tag 'Lab' {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'lab/NetnsLab.psm1') -Force
        $script:lab = Start-NetnsLab -Prefix 'ip'
        $script:dropIn = '/etc/sysctl.d/99-zz-dockerhosttools-ipforward.conf'
        function Reset-Lab {
            # Back to the incident: no drop-in, no hardening file, empty sysctl.conf, forwarding off at runtime.
            Invoke-LabHost $lab sh -c 'rm -f /etc/sysctl.d/*; : > /etc/sysctl.conf; sysctl -q -w net.ipv4.ip_forward=0'
        }
        function Get-Runtime { (Invoke-LabHost $lab cat /proc/sys/net/ipv4/ip_forward).Trim() }
    }
    AfterAll { Stop-NetnsLab -Prefix 'ip' }
    BeforeEach { Reset-Lab }

    It 'sees forwarding off, repairs it, and the outside client reaches the registry again' {
        Get-LabHttpCode $lab | Should -Be '000'
        $r = Invoke-LabPwsh $lab { Get-IpForward; Repair-IpForward -Confirm:$false }
        $r.Errors | Should -BeNullOrEmpty
        $r.Output[0].Status | Should -Be 'RuntimeDisabled'
        $result = $r.Output[1]
        $result.Changed | Should -BeTrue
        @($result.Steps.Kind) | Should -Be @('WriteDropIn', 'SetRuntime')
        @($result.Steps.Outcome) | Should -Be @('Done', 'Done')
        $result.After[0].Status | Should -Be 'Ok'
        $result.After[0].PersistedSource.Source | Should -Be "${dropIn}:3"
        Get-Runtime | Should -Be '1'
        Invoke-LabHost $lab cat $dropIn | Should -Contain 'net.ipv4.ip_forward = 1'
        Get-LabHttpCode $lab | Should -Be '200'
    }

    It 'a second run changes nothing and does not touch the file' {
        $null = Invoke-LabPwsh $lab { Repair-IpForward -Confirm:$false }
        $stat1 = Invoke-LabHost $lab stat -c '%i %Y' $dropIn
        Start-Sleep -Milliseconds 1100
        $r = Invoke-LabPwsh $lab { Repair-IpForward -Confirm:$false }
        $r.Output[0].Changed | Should -BeFalse
        @($r.Output[0].Steps).Count | Should -Be 0
        Invoke-LabHost $lab stat -c '%i %Y' $dropIn | Should -Be $stat1
    }

    It '-WhatIf shows the plan and changes nothing' {
        $r = Invoke-LabPwsh $lab { Repair-IpForward -WhatIf }
        $r.Output | Should -BeNullOrEmpty
        Invoke-LabHost $lab test -e $dropIn; $LASTEXITCODE | Should -Be 1
        Get-Runtime | Should -Be '0'
    }

    It 'a 99-*.conf that sets 0 after ours is reported, and -Force neutralises it with a backup' {
        Invoke-LabHost $lab sh -c 'printf "# hardening\nnet.ipv4.ip_forward = 0\n" > /etc/sysctl.d/99-zzz-cis.conf'
        $r = Invoke-LabPwsh $lab { Repair-IpForward -Confirm:$false }
        $r.Output[0].RemainingOverrides[0].Source | Should -Be '/etc/sysctl.d/99-zzz-cis.conf:2'
        $r.Warnings -join "`n" | Should -Match '99-zzz-cis.conf:2'
        $r.Output[0].After[0].Status | Should -Be 'Overridden'
        # The real sysctl --system proves the precedence: the hardening file wins. The lab's sysctl folders are private
        # and hold only net.* keys (per namespace); a machine folder the lab does not replace must be empty.
        Invoke-LabHost $lab sh -c 'ls /usr/local/lib/sysctl.d/*.conf /run/sysctl.d/*.conf /lib/sysctl.d/*.conf 2>/dev/null' | Should -BeNullOrEmpty
        Invoke-LabHost $lab sysctl -q --system
        Get-Runtime | Should -Be '0'

        $r = Invoke-LabPwsh $lab { Repair-IpForward -Force -Confirm:$false }
        $r.Errors | Should -BeNullOrEmpty
        @($r.Output[0].Steps.Kind) | Should -Contain 'NeutraliseOverride'
        $r.Output[0].After[0].Status | Should -Be 'Ok'
        Invoke-LabHost $lab cat /etc/sysctl.d/99-zzz-cis.conf | Should -Contain '# disabled by DockerHostTools Repair-IpForward: net.ipv4.ip_forward = 0'
        @(Invoke-LabHost $lab sh -c 'ls /etc/sysctl.d/99-zzz-cis.conf.dht-backup-*').Count | Should -Be 1
        Invoke-LabHost $lab sysctl -q --system
        Get-Runtime | Should -Be '1'
    }

    It 'after the repair, a CentOS-style network restart (off, then the net.* keys re-applied) leaves it on' {
        $null = Invoke-LabPwsh $lab { Repair-IpForward -Confirm:$false }
        Invoke-LabHost $lab systemctl restart network
        Get-Runtime | Should -Be '1'
        Get-LabHttpCode $lab | Should -Be '200'
    }

    It 'without the repair, the same network restart leaves it off (the incident)' {
        Invoke-LabHost $lab sysctl -q -w net.ipv4.ip_forward=1
        (Invoke-LabPwsh $lab { Get-IpForward }).Output[0].Status | Should -Be 'NotPersisted'
        Invoke-LabHost $lab systemctl restart network
        Get-Runtime | Should -Be '0'
    }

    It 'Defect2: a read-only /etc/sysctl.d (a failed drop-in write skipped the runtime fix): ReadOnlyFileSystem for the file, the runtime value is still set, and the error says so' {
        Invoke-LabHost $lab mount -o 'remount,bind,ro' /etc/sysctl.d
        try {
            $r = Invoke-LabPwsh $lab { Repair-IpForward -Confirm:$false }
            $r.Errors | Should -HaveCount 1
            $r.Errors[0].FullyQualifiedErrorId | Should -Be 'ReadOnlyFileSystem,DockerHostTools.Commands.RepairIpForwardCommand'
            $r.Errors[0].Category | Should -Be 'WriteError'
            $r.Errors[0].TargetObject | Should -Be $dropIn
            $r.Errors[0].Message | Should -BeLike '*Done: Set the runtime value to 1*'
            @($r.Output[0].Steps.Kind) | Should -Be @('WriteDropIn', 'SetRuntime')
            @($r.Output[0].Steps.Outcome) | Should -Be @('Failed', 'Done')
            $r.Output[0].Changed | Should -BeTrue
            Get-Runtime | Should -Be '1' -Because 'the runtime value needs no file'
            Invoke-LabHost $lab test -e $dropIn; $LASTEXITCODE | Should -Be 1
        }
        finally { Invoke-LabHost $lab mount -o 'remount,bind,rw' /etc/sysctl.d }
    }

    It 'not root: PermissionDenied before anything is written' {
        $r = Invoke-LabPwsh $lab -User 65534 { Repair-IpForward -Confirm:$false }
        $r.Errors[0].FullyQualifiedErrorId | Should -Be 'NotRoot,DockerHostTools.Commands.RepairIpForwardCommand'
        $r.Errors[0].Category | Should -Be 'PermissionDenied'
        Invoke-LabHost $lab test -e $dropIn; $LASTEXITCODE | Should -Be 1
        Get-Runtime | Should -Be '0'
    }

    It 'reading needs no root' {
        $r = Invoke-LabPwsh $lab -User 65534 { Get-IpForward }
        $r.Errors | Should -BeNullOrEmpty
        $r.Output[0].Status | Should -Be 'RuntimeDisabled'
    }

    It 'repairs IPv6 too with -Family All' {
        Invoke-LabHost $lab sysctl -q -w net.ipv6.conf.all.forwarding=0
        $r = Invoke-LabPwsh $lab { Repair-IpForward -Family All -Confirm:$false }
        $r.Errors | Should -BeNullOrEmpty
        @($r.Output[0].After.Status) | Should -Be @('Ok', 'Ok', 'Ok')
        (Invoke-LabHost $lab cat /proc/sys/net/ipv6/conf/all/forwarding).Trim() | Should -Be '1'
    }

    It '-Family IPv6 sets and persists net.ipv6.conf.all.forwarding and net.ipv6.conf.default.forwarding, and leaves IPv4 alone' {
        # sysctl -w all=0 switches default off as well (the kernel's rule): both are off, as after a reset
        Invoke-LabHost $lab sysctl -q -w net.ipv6.conf.all.forwarding=0
        (Invoke-LabHost $lab cat /proc/sys/net/ipv6/conf/default/forwarding).Trim() | Should -Be '0'
        $r = Invoke-LabPwsh $lab { Repair-IpForward -Family IPv6 -Confirm:$false }
        $r.Errors | Should -BeNullOrEmpty
        $result = $r.Output[0]
        @($result.Steps.Kind) | Should -Be @('WriteDropIn', 'SetRuntime', 'SetRuntime')
        @($result.Steps.Outcome) | Should -Be @('Done', 'Done', 'Done')
        @($result.After.Key) | Should -Be @('net.ipv6.conf.all.forwarding', 'net.ipv6.conf.default.forwarding')
        @($result.After.Status) | Should -Be @('Ok', 'Ok')
        $text = @(Invoke-LabHost $lab cat $dropIn)
        $text | Should -Contain 'net.ipv6.conf.all.forwarding = 1'
        $text | Should -Contain 'net.ipv6.conf.default.forwarding = 1'
        $text | Should -Not -Contain 'net.ipv4.ip_forward = 1'
        (Invoke-LabHost $lab cat /proc/sys/net/ipv6/conf/all/forwarding).Trim() | Should -Be '1'
        (Invoke-LabHost $lab cat /proc/sys/net/ipv6/conf/default/forwarding).Trim() | Should -Be '1'
        Get-Runtime | Should -Be '0' -Because 'IPv4 was not asked for'
        # the files keep it: switched off again and the net.* keys re-applied by the real sysctl, both come back
        Invoke-LabHost $lab sysctl -q -w net.ipv6.conf.all.forwarding=0
        Invoke-LabHost $lab sysctl -q --system
        (Invoke-LabHost $lab cat /proc/sys/net/ipv6/conf/all/forwarding).Trim() | Should -Be '1'
        (Invoke-LabHost $lab cat /proc/sys/net/ipv6/conf/default/forwarding).Trim() | Should -Be '1'
        # and a second run changes nothing
        (Invoke-LabPwsh $lab { Repair-IpForward -Family IPv6 -Confirm:$false }).Output[0].Changed | Should -BeFalse
    }

    It '-Family IPv6 on a read-only /etc/sysctl.d: ReadOnlyFileSystem for the file, both runtime values still set' {
        Invoke-LabHost $lab sysctl -q -w net.ipv6.conf.all.forwarding=0
        Invoke-LabHost $lab mount -o 'remount,bind,ro' /etc/sysctl.d
        try {
            $r = Invoke-LabPwsh $lab { Repair-IpForward -Family IPv6 -Confirm:$false }
            $r.Errors | Should -HaveCount 1
            $r.Errors[0].FullyQualifiedErrorId | Should -Be 'ReadOnlyFileSystem,DockerHostTools.Commands.RepairIpForwardCommand'
            $r.Errors[0].TargetObject | Should -Be $dropIn
            @($r.Output[0].Steps.Outcome) | Should -Be @('Failed', 'Done', 'Done')
            @($r.Output[0].After.Status) | Should -Be @('NotPersisted', 'NotPersisted')
            (Invoke-LabHost $lab cat /proc/sys/net/ipv6/conf/all/forwarding).Trim() | Should -Be '1'
        }
        finally { Invoke-LabHost $lab mount -o 'remount,bind,rw' /etc/sysctl.d }
    }

    It '-Family IPv6 not root: PermissionDenied before anything is written' {
        Invoke-LabHost $lab sysctl -q -w net.ipv6.conf.all.forwarding=0
        $r = Invoke-LabPwsh $lab -User 65534 { Repair-IpForward -Family IPv6 -Confirm:$false }
        $r.Errors[0].FullyQualifiedErrorId | Should -Be 'NotRoot,DockerHostTools.Commands.RepairIpForwardCommand'
        $r.Errors[0].Category | Should -Be 'PermissionDenied'
        Invoke-LabHost $lab test -e $dropIn; $LASTEXITCODE | Should -Be 1
        (Invoke-LabHost $lab cat /proc/sys/net/ipv6/conf/all/forwarding).Trim() | Should -Be '0'
    }
}
