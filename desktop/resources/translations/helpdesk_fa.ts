<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fa_IR">
<context>
    <name>App</name>
    <message>
        <location filename="../../app.py" line="79"/>
        <source>offline</source>
        <translation>آفلاین</translation>
    </message>
</context>
<context>
    <name>DemoSetup</name>
    <message>
        <location filename="../../demo.py" line="49"/>
        <source>Helpdesk</source>
        <translation>میز پشتیبانی</translation>
    </message>
    <message>
        <location filename="../../demo.py" line="50"/>
        <source>Preparing the demo data…</source>
        <translation>در حال آماده‌سازی داده‌های نمایشی…</translation>
    </message>
</context>
<context>
    <name>Formatting</name>
    <message>
        <location filename="../../formatting.py" line="65"/>
        <source>just now</source>
        <translation>همین حالا</translation>
    </message>
    <message>
        <location filename="../../formatting.py" line="67"/>
        <source>in a moment</source>
        <translation>چند لحظهٔ دیگر</translation>
    </message>
    <message numerus="yes">
        <location filename="../../formatting.py" line="72"/>
        <source>%Ln minute(s) ago</source>
        <translation>
            <numerusform>%Ln دقیقه پیش</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../formatting.py" line="74"/>
        <source>%Ln hour(s) ago</source>
        <translation>
            <numerusform>%Ln ساعت پیش</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../formatting.py" line="76"/>
        <source>%Ln day(s) ago</source>
        <translation>
            <numerusform>%Ln روز پیش</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../formatting.py" line="78"/>
        <source>%Ln month(s) ago</source>
        <translation>
            <numerusform>%Ln ماه پیش</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../formatting.py" line="81"/>
        <source>%Ln year(s) ago</source>
        <translation>
            <numerusform>%Ln سال پیش</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../formatting.py" line="83"/>
        <source>in %Ln minute(s)</source>
        <translation>
            <numerusform>%Ln دقیقهٔ دیگر</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../formatting.py" line="85"/>
        <source>in %Ln hour(s)</source>
        <translation>
            <numerusform>%Ln ساعت دیگر</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../formatting.py" line="86"/>
        <source>in %Ln day(s)</source>
        <translation>
            <numerusform>%Ln روز دیگر</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../formatting.py" line="98"/>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../views/main_window.py" line="58"/>
        <source>Helpdesk</source>
        <translation>میز پشتیبانی</translation>
    </message>
    <message>
        <location filename="../../views/main_window.py" line="67"/>
        <source>Search tickets (Ctrl+F)</source>
        <translation>جستجوی درخواست‌ها (Ctrl+F)</translation>
    </message>
    <message>
        <location filename="../../views/main_window.py" line="91"/>
        <source>Signed in as %1</source>
        <translation>کاربر: %1</translation>
    </message>
    <message>
        <location filename="../../views/main_window.py" line="183"/>
        <source>%1 tickets</source>
        <translation>%1 درخواست</translation>
    </message>
</context>
<context>
    <name>QueueSidebarView</name>
    <message>
        <location filename="../../views/queue_sidebar.py" line="17"/>
        <source>My tickets</source>
        <translation>درخواست‌های من</translation>
    </message>
    <message>
        <location filename="../../views/queue_sidebar.py" line="18"/>
        <source>Unassigned</source>
        <translation>بدون مسئول</translation>
    </message>
    <message>
        <location filename="../../views/queue_sidebar.py" line="19"/>
        <source>My teams</source>
        <translation>تیم‌های من</translation>
    </message>
    <message>
        <location filename="../../views/queue_sidebar.py" line="20"/>
        <source>Followed</source>
        <translation>دنبال‌شده‌ها</translation>
    </message>
    <message>
        <location filename="../../views/queue_sidebar.py" line="21"/>
        <source>All open</source>
        <translation>همهٔ باز</translation>
    </message>
    <message>
        <location filename="../../views/queue_sidebar.py" line="22"/>
        <source>All tickets</source>
        <translation>همهٔ درخواست‌ها</translation>
    </message>
    <message>
        <location filename="../../views/queue_sidebar.py" line="23"/>
        <source>Archived</source>
        <translation>بایگانی</translation>
    </message>
    <message>
        <location filename="../../views/queue_sidebar.py" line="24"/>
        <source>Not yet synced</source>
        <translation>همگام‌نشده</translation>
    </message>
</context>
<context>
    <name>QueueTableModel</name>
    <message>
        <location filename="../../models/queue_model.py" line="74"/>
        <source>Sync</source>
        <translation>همگام</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="75"/>
        <source>Number</source>
        <translation>شماره</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="76"/>
        <source>Title</source>
        <translation>عنوان</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="77"/>
        <source>Customer</source>
        <translation>مشتری</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="78"/>
        <source>Stage</source>
        <translation>مرحله</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="79"/>
        <source>Priority</source>
        <translation>اولویت</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="80"/>
        <source>Severity</source>
        <translation>شدت</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="81"/>
        <source>Impact</source>
        <translation>اثر</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="82"/>
        <source>Team</source>
        <translation>تیم</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="83"/>
        <source>Assignee</source>
        <translation>مسئول</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="84"/>
        <source>SLA due</source>
        <translation>مهلت SLA</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="85"/>
        <source>Updated</source>
        <translation>به‌روزرسانی</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="86"/>
        <source>Staff</source>
        <translation>کارشناس</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="87"/>
        <source>Customer read</source>
        <translation>مشتری خواند</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="103"/>
        <source>New</source>
        <translation>جدید</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="104"/>
        <source>In progress</source>
        <translation>در حال انجام</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="105"/>
        <source>Closed</source>
        <translation>بسته</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="108"/>
        <location filename="../../models/queue_model.py" line="113"/>
        <source>Low</source>
        <translation>کم</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="109"/>
        <source>Normal</source>
        <translation>عادی</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="110"/>
        <source>High</source>
        <translation>زیاد</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="114"/>
        <source>Medium</source>
        <translation>متوسط</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="115"/>
        <source>Critical</source>
        <translation>بحرانی</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="118"/>
        <source>Minor</source>
        <translation>جزئی</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="119"/>
        <source>Serious</source>
        <translation>جدی</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="120"/>
        <source>Catastrophic</source>
        <translation>فاجعه‌بار</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="123"/>
        <source>Unread</source>
        <translation>خوانده‌نشده</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="124"/>
        <source>Seen, under review</source>
        <translation>در حال بررسی</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="125"/>
        <source>Answered, following up</source>
        <translation>در حال پیگیری</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="128"/>
        <source>Answered</source>
        <translation>پاسخ‌داده</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="131"/>
        <source>Staff: unread</source>
        <translation>کارشناس: خوانده‌نشده</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="132"/>
        <source>Staff: seen, under review</source>
        <translation>کارشناس: دیده‌شده، در حال بررسی</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="133"/>
        <source>Staff: answered, following up</source>
        <translation>کارشناس: پاسخ‌داده، در حال پیگیری</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="136"/>
        <source>Staff: answered</source>
        <translation>کارشناس: پاسخ‌داده</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="140"/>
        <source>Not read</source>
        <translation>نخوانده</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="141"/>
        <source>Read</source>
        <translation>خوانده</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="322"/>
        <location filename="../../models/queue_model.py" line="444"/>
        <source>Edits not yet sent to the server</source>
        <translation>تغییراتی که هنوز به سرور نرسیده‌اند</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="412"/>
        <source>pending</source>
        <translation>در انتظار</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="429"/>
        <source>Unassigned</source>
        <translation>بدون مسئول</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="448"/>
        <source>Overdue since %1</source>
        <translation>گذشته از مهلت از %1</translation>
    </message>
</context>
</TS>
