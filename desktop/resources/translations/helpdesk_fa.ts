<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fa_IR">
<context>
    <name>App</name>
    <message>
        <location filename="../../app.py" line="+76"/>
        <source>offline</source>
        <translation>آفلاین</translation>
    </message>
</context>
<context>
    <name>DemoSetup</name>
    <message>
        <location filename="../../demo.py" line="+49"/>
        <source>Helpdesk</source>
        <translation>میز پشتیبانی</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Preparing the demo data…</source>
        <translation>در حال آماده‌سازی داده‌های نمایشی…</translation>
    </message>
</context>
<context>
    <name>Formatting</name>
    <message>
        <location filename="../../formatting.py" line="+65"/>
        <source>just now</source>
        <translation>همین حالا</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>in a moment</source>
        <translation>چند لحظهٔ دیگر</translation>
    </message>
    <message numerus="yes">
        <location line="+5"/>
        <source>%Ln minute(s) ago</source>
        <translation>
            <numerusform>%Ln دقیقه پیش</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%Ln hour(s) ago</source>
        <translation>
            <numerusform>%Ln ساعت پیش</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%Ln day(s) ago</source>
        <translation>
            <numerusform>%Ln روز پیش</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%Ln month(s) ago</source>
        <translation>
            <numerusform>%Ln ماه پیش</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+3"/>
        <source>%Ln year(s) ago</source>
        <translation>
            <numerusform>%Ln سال پیش</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>in %Ln minute(s)</source>
        <translation>
            <numerusform>%Ln دقیقهٔ دیگر</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>in %Ln hour(s)</source>
        <translation>
            <numerusform>%Ln ساعت دیگر</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>in %Ln day(s)</source>
        <translation>
            <numerusform>%Ln روز دیگر</numerusform>
        </translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../views/main_window.py" line="+56"/>
        <source>Helpdesk</source>
        <translation>میز پشتیبانی</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Search tickets (Ctrl+F)</source>
        <translation>جستجوی درخواست‌ها (Ctrl+F)</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Signed in as %1</source>
        <translation>کاربر: %1</translation>
    </message>
    <message>
        <location line="+89"/>
        <source>%1 tickets</source>
        <translation>%1 درخواست</translation>
    </message>
</context>
<context>
    <name>QueueSidebarView</name>
    <message>
        <location filename="../../views/queue_sidebar.py" line="+16"/>
        <source>My tickets</source>
        <translation>درخواست‌های من</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unassigned</source>
        <translation>بدون مسئول</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>My teams</source>
        <translation>تیم‌های من</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Followed</source>
        <translation>دنبال‌شده‌ها</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All open</source>
        <translation>همهٔ باز</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All tickets</source>
        <translation>همهٔ درخواست‌ها</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Archived</source>
        <translation>بایگانی</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not yet synced</source>
        <translation>همگام‌نشده</translation>
    </message>
</context>
<context>
    <name>QueueTableModel</name>
    <message>
        <location filename="../../models/queue_model.py" line="+73"/>
        <source>Sync</source>
        <translation>همگام</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Number</source>
        <translation>شماره</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Title</source>
        <translation>عنوان</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Customer</source>
        <translation>مشتری</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stage</source>
        <translation>مرحله</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Priority</source>
        <translation>اولویت</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Severity</source>
        <translation>شدت</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Impact</source>
        <translation>اثر</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Team</source>
        <translation>تیم</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Assignee</source>
        <translation>مسئول</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>SLA due</source>
        <translation>مهلت SLA</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Updated</source>
        <translation>به‌روزرسانی</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Staff</source>
        <translation>وضعیت کارشناس</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Customer read</source>
        <translation>خواندن مشتری</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>New</source>
        <translation>جدید</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>In progress</source>
        <translation>در حال انجام</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Closed</source>
        <translation>بسته</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+5"/>
        <source>Low</source>
        <translation>کم</translation>
    </message>
    <message>
        <location line="-4"/>
        <source>Normal</source>
        <translation>عادی</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>High</source>
        <translation>زیاد</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Medium</source>
        <translation>متوسط</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Critical</source>
        <translation>بحرانی</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Minor</source>
        <translation>جزئی</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Serious</source>
        <translation>جدی</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Catastrophic</source>
        <translation>فاجعه‌بار</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Unread</source>
        <translation>خوانده‌نشده</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Seen, under review</source>
        <translation>دیده‌شده، در حال بررسی</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Answered, following up</source>
        <translation>پاسخ‌داده، در حال پیگیری</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Answered</source>
        <translation>پاسخ‌داده</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Not read</source>
        <translation>نخوانده</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Read</source>
        <translation>خوانده</translation>
    </message>
    <message>
        <location line="+176"/>
        <location line="+121"/>
        <source>Edits not yet sent to the server</source>
        <translation>تغییراتی که هنوز به سرور نرسیده‌اند</translation>
    </message>
    <message>
        <location line="-33"/>
        <source>pending</source>
        <translation>در انتظار</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Unassigned</source>
        <translation>بدون مسئول</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Overdue since %1</source>
        <translation>گذشته از مهلت از %1</translation>
    </message>
</context>
</TS>
